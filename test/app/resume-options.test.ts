/**
 * The flags a release was started with are in the ledger from its first write (issue 15): a release
 * that dies before its first snapshot is resumed as it was asked, --adopt included.
 */
import {describe, expect, it} from 'vitest'
import {resume, rollout} from '../../src/app/release.js'
import {loadSnapshot} from '../../src/engine/runner.js'
import {SimAccount} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {versionsTakingTraffic} from '../fakes/account.js'
import {openProject, TRAFFIC_SOURCE} from '../fakes/workspace.js'
import {immutableDetails} from '../../src/engine/release-details.js'

function groupsServing(sim: SimAccount): string[] {
  const source = sim.view().trafficSources.find((s) => s.identifier === TRAFFIC_SOURCE)
  return (source?.groups ?? []).filter((g) => ['Adding', 'Added', 'InService'].includes(g.state)).map((g) => g.name).sort()
}

class Crash extends Error {}

describe('a release resumed before its first snapshot', () => {
  it('keeps --adopt: the adopted group is detached after the shift', async () => {
    const project = await openProject({capacity: 2})
    const sim = SimAccount.open({
      clock: new VirtualClock(),
      seed: 3,
      fleets: {'legacy-web': {instances: 2, version: '1.0.0', trafficSources: [TRAFFIC_SOURCE]}},
    })
    const {ws} = project

    // The process dies right after the ledger recorded the release, before the machine ran a step.
    const crashed = await rollout(ws, {target: 'web', version: '2.0.0', adopt: 'legacy-web'}, {onStart: () => { throw new Crash() }}, {sim}).catch((e: unknown) => e)
    expect(crashed).toBeInstanceOf(Crash)
    const interrupted = (await ws.ledger.read('web')).releases.at(-1)!
    expect(interrupted).toMatchObject({outcome: 'inProgress', options: {adopt: {group: 'legacy-web'}}})
    expect(await loadSnapshot(ws.store, interrupted.id)).toBeUndefined()

    const resumed = await resume(ws, {target: 'web'}, {}, {sim})
    expect(resumed.outcome).toBe('succeeded')
    expect(resumed.record.details).toMatchObject({adopted: {group: 'legacy-web'}})
    expect(groupsServing(sim)).toEqual([String(immutableDetails(resumed.record)?.group)])
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
  })
})
