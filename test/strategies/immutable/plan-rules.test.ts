/**
 * The pure rules of an immutable release's planning (strategies/immutable/plan.ts and health.ts),
 * which `release plan` shares with the rollout: which stack the version runs in, and what would
 * notice a bad version.
 */
import {describe, expect, it} from 'vitest'
import {chooseStack} from '../../../strategies/immutable/plan.js'
import {immutableHealthSignals} from '../../../strategies/immutable/health.js'
import type {StackInfo} from '../../../src/ports/stacks.js'
import {TRAFFIC_SOURCE} from '../../fakes/workspace.js'

function stack(name: string, version: string, status = 'CREATE_COMPLETE'): StackInfo {
  return {name, id: `id-${name}`, status, parameters: {}, outputs: {}, tags: {'release:version': version}, createdAt: 0}
}

describe('chooseStack', () => {
  const release = {version: '1.0.0', releaseId: 'web-5', previousStack: 'release-web-4'}

  it('re-uses a retained stack of the same version', () => {
    expect(chooseStack([stack('release-web-2', '2.0.0'), stack('release-web-1', '1.0.0')], release)).toEqual({name: 'release-web-1', reused: true})
    expect(chooseStack([stack('release-web-1', '1.0.0', 'UPDATE_COMPLETE')], release)).toEqual({name: 'release-web-1', reused: true})
  })

  it('makes a new stack named after the release for another version, a failed stack, or the live stack', () => {
    const fresh = {name: 'release-web-5', reused: false}
    expect(chooseStack([], release)).toEqual(fresh)
    expect(chooseStack([stack('release-web-2', '2.0.0')], release)).toEqual(fresh)
    expect(chooseStack([stack('release-web-1', '1.0.0', 'ROLLBACK_COMPLETE')], release)).toEqual(fresh)
    expect(chooseStack([stack('release-web-1', '1.0.0', 'UPDATE_ROLLBACK_COMPLETE')], release)).toEqual(fresh)
    // The live stack runs this version already (a forced re-release): it is not scaled "back" up.
    expect(chooseStack([stack('release-web-4', '1.0.0')], release)).toEqual(fresh)
    // Without a live stack, a retained one of the version is re-used.
    expect(chooseStack([stack('release-web-4', '1.0.0')], {...release, previousStack: null})).toEqual({name: 'release-web-4', reused: true})
  })
})

describe('immutableHealthSignals', () => {
  const ec2 = 'EC2: status checks only see an instance that fails, not an application that does not serve'

  it('warns when only EC2 status checks would notice a bad version', () => {
    for (const target of [{trafficSources: []}, {trafficSources: ['arn:aws:something:else'], verify: {commands: []}}]) {
      const signals = immutableHealthSignals(target)
      expect(signals.signals).toEqual([ec2])
      expect(signals.warning).toMatch(/nothing would catch a bad application version before traffic moves/)
    }
  })

  it('names verify commands and target groups, and whether the group replaces failing instances', () => {
    const signals = immutableHealthSignals({trafficSources: [TRAFFIC_SOURCE, 'arn:other'], verify: {commands: ['a', 'b']}})
    expect(signals).toEqual({
      signals: [
        'verify: 2 commands on every new instance before traffic moves',
        'ELB: target health in 1 target groups, watched while both groups serve; the group does not replace failing instances (HealthCheckType EC2)',
        ec2,
      ],
    })
    expect(immutableHealthSignals({trafficSources: [TRAFFIC_SOURCE], healthCheckType: 'ELB'}).signals[0]).toMatch(
      /the group replaces failing instances \(HealthCheckType ELB\)$/,
    )
    expect(immutableHealthSignals({trafficSources: [], verify: {commands: ['a']}}).warning).toBeUndefined()
  })
})
