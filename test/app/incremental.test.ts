import {describe, expect, it} from 'vitest'
import {rollback, rollout} from '../../src/app/release.js'
import {statusOf} from '../../src/app/views.js'
import type {Workspace} from '../../src/app/workspace.js'
import type {SimAccount} from '../../src/sim/index.js'
import {openIncremental, notInService, versionCounts, watchingOutOfService} from '../fakes/incremental.js'

/** A rollout to 2.0.0, and the most instances out of service the account saw at any call during it. */
function rolloutWatchingOutOfService(ws: Workspace, sim: SimAccount) {
  return watchingOutOfService(sim, () => rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim}))
}

describe('incremental release on the simulated account', () => {
  it('changes every instance in place and publishes the desired version', async () => {
    const {ws, sim} = await openIncremental({instances: 12})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 12})
    expect(notInService(sim)).toEqual([])
    expect(sim.view().parameters).toContainEqual(expect.objectContaining({name: '/release/api/version', value: '2.0.0'}))
    expect(await statusOf(ws, 'api')).toMatchObject({liveVersion: '2.0.0', release: {strategy: 'incremental', outcome: 'succeeded'}})
  })

  it('never has more than maxUnavailable out of service, at any call of a 200-instance rollout with random latencies', async () => {
    const {ws, sim} = await openIncremental({instances: 200, maxUnavailable: '10%', commandLatency: {medianMs: 90_000, p95Ms: 160_000}, seed: 17})
    const {result, worst} = await rolloutWatchingOutOfService(ws, sim)
    expect(result.outcome, result.message).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 200})
    expect(worst).toBeLessThanOrEqual(20)
    // A sliding window keeps it full most of the time, so the worst case reaches the window.
    expect(worst).toBeGreaterThanOrEqual(15)
    // Aggregate polling: never one GetCommandInvocation per instance, and calls grow with polls and batches.
    const calls = sim.metrics().calls
    expect(calls['ssm:GetCommandInvocation'] ?? 0).toBe(0)
    const total = Object.values(calls).reduce((a, b) => a + b, 0)
    // A few calls per poll whatever the fleet size (about 7.5 per instance here, falling as fleets grow:
    // `npm run bench` prints the figures); per instance per poll it would be hundreds. An instance back
    // from Standby waits for 5 passed load balancer checks (150 s), so there are more polls than there
    // were when InService was enough, each with one DescribeTargetHealth.
    expect(total / 200).toBeLessThan(6)
    expect(calls['autoscaling:EnterStandby']!).toBeLessThan(200)
  })

  it('never has more than maxUnavailable out of service, at any call of a 200-instance rollout with 20% of calls throttled', async () => {
    const {ws, sim} = await openIncremental({
      instances: 200,
      maxUnavailable: '10%',
      commandLatency: {medianMs: 90_000, p95Ms: 160_000},
      seed: 23,
      faults: {throttle: {rate: 0.2}},
    })
    const {result, worst} = await rolloutWatchingOutOfService(ws, sim)
    expect(result.outcome, result.message).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 200})
    expect(notInService(sim)).toEqual([])
    // The throttling was real: calls were refused and retried.
    expect(sim.metrics().throttled).toBeGreaterThan(20)
    expect(worst).toBeLessThanOrEqual(20)
    expect(worst).toBeGreaterThanOrEqual(15)
  })

  it('rolls back after a failure in the canary: every instance on its previous version, none in Standby', async () => {
    const {ws, sim} = await openIncremental({instances: 12})
    const result = await rollout(ws, {target: 'api', version: '2.0.0-bad'}, {}, {sim})
    expect(result.outcome).toBe('rolledBack')
    expect(result.exitCode).toBe(3)
    expect(result.record.details).toMatchObject({failure: {step: 'canary'}})
    expect(versionCounts(sim)).toEqual({'1.0.0': 12})
    expect(notInService(sim)).toEqual([])
    expect(sim.view().parameters).toContainEqual(expect.objectContaining({name: '/release/api/version', value: '1.0.0'}))
  })

  it.each([
    ['mid-fleet', 5],
    ['in the last window', 10],
  ])('rolls back after a failure %s', async (_where, after) => {
    const {ws, sim} = await openIncremental({instances: 12, maxUnavailable: '2'})
    let broken = false
    const result = await rollout(
      ws,
      {target: 'api', version: '2.0.0'},
      {
        onProgress: (event) => {
          if (!broken && event.state === 'rolling' && (event.instances?.ready ?? 0) >= after) {
            broken = true
            sim.setFaults({unhealthyVersions: ['2.0.0']})
          }
        },
      },
      {sim},
    )
    expect(broken).toBe(true)
    expect(result.outcome, result.message).toBe('rolledBack')
    expect(result.record.details).toMatchObject({failure: {step: 'rolling'}})
    expect(versionCounts(sim)).toEqual({'1.0.0': 12})
    expect(notInService(sim)).toEqual([])
  })

  it('tolerates failures up to maxErrors, putting those instances back on their previous version', async () => {
    const {ws, sim} = await openIncremental({instances: 40, maxErrors: '25%', faults: {commandFailureRate: 0.1}, seed: 3})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    const counts = versionCounts(sim)
    const failed = (result.record.details as {tally: {failed: number}}).tally.failed
    expect(failed).toBeGreaterThan(0)
    expect(failed).toBeLessThanOrEqual(10)
    expect(counts['2.0.0']).toBe(40 - failed)
    expect(counts['1.0.0'] ?? 0).toBe(failed)
    expect(notInService(sim)).toEqual([])
  })

  it('rolls back at the first failure over maxErrors 0', async () => {
    const {ws, sim} = await openIncremental({instances: 40, maxErrors: '0', faults: {commandFailureRate: 0.1}, seed: 3})
    let mostChanged = 0
    const stop = sim.observe((fleet) => {
      mostChanged = Math.max(mostChanged, fleet.instances.filter((i) => i.version === '2.0.0').length)
    })
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    stop()
    expect(result.outcome).toBe('rolledBack')
    // Some instances did run 2.0.0 before the failure; the way back restored each of them.
    expect(mostChanged).toBeGreaterThan(0)
    expect(versionCounts(sim)).toEqual({'1.0.0': 40})
    expect(notInService(sim)).toEqual([])
  })

  it('rides out a throttling storm', async () => {
    const {ws, sim, clock} = await openIncremental({instances: 12})
    const stormEnd = clock.now() + 60_000
    sim.setFaults({throttle: {rate: 1, until: stormEnd}})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    // The storm was real: calls were refused, and the release went on once it was over.
    expect(sim.metrics().throttled).toBeGreaterThan(0)
    expect(clock.now()).toBeGreaterThan(stormEnd)
    expect(versionCounts(sim)).toEqual({'2.0.0': 12})
  })

  it('rolls back by hand to the last known good version, in place', async () => {
    const {ws, sim} = await openIncremental({instances: 6})
    await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    await rollout(ws, {target: 'api', version: '3.0.0'}, {}, {sim})
    const back = await rollback(ws, {target: 'api'}, {}, {sim})
    expect(back.outcome).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 6})
  })
})

describe('incremental bad input: exit 2, nothing changed', () => {
  it('a fleet group that does not exist', async () => {
    const {ws, sim} = await openIncremental({extra: ''})
    const config = ws.config.targets.api!
    if (config.strategy !== 'incremental') throw new Error('api is incremental')
    config.fleet = {group: 'no-such-fleet'}
    await expect(rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})).rejects.toMatchObject({code: 'E_FLEET', exitCode: 2})
    expect((await ws.ledger.read('api')).releases).toEqual([])
  })

  it('a document that does not exist', async () => {
    const {ws, sim} = await openIncremental()
    const config = ws.config.targets.api!
    if (config.strategy !== 'incremental') throw new Error('api is incremental')
    config.change = {...config.change, document: 'Acme-Deploy', versionParameter: 'version', apply: [], verify: [], current: []}
    await expect(rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})).rejects.toMatchObject({code: 'E_DOCUMENT', exitCode: 2})
    expect(versionCounts(sim)).toEqual({'1.0.0': 12})
  })

  it('a window larger than the fleet', async () => {
    const {ws, sim} = await openIncremental({instances: 5, maxUnavailable: '6'})
    await expect(rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})).rejects.toMatchObject({code: 'E_WINDOW', exitCode: 2})
    expect(sim.view().parameters).toEqual([])
  })
})

describe('a fleet found by EC2 tags', () => {
  it('changes the managed instances carrying the tags, without Standby', async () => {
    const {ws, sim} = await openIncremental({instances: 8})
    const config = ws.config.targets.api!
    if (config.strategy !== 'incremental') throw new Error('api is incremental')
    config.fleet = {tags: {Role: 'api'}}
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 8})
    expect(sim.metrics().calls['autoscaling:EnterStandby'] ?? 0).toBe(0)
  })
})

describe('a percent window on a small fleet', () => {
  it('still changes one instance at a time instead of refusing', async () => {
    const {ws, sim} = await openIncremental({instances: 5, maxUnavailable: '10%'})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome).toBe('succeeded')
    expect(result.record.details).toMatchObject({plan: {window: 1}})
  })
})
