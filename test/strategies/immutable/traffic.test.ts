/**
 * The traffic moves of an immutable release (strategies/immutable/traffic.ts) on the simulated account
 * through the real adapters: when a group counts as serving, and when it counts as a bad version.
 * test/strategies/immutable/traffic-order.test.ts proves the order of the moves in whole releases.
 */
import {describe, expect, it} from 'vitest'
import {ElbTargetGroups} from '../../../src/aws/index.js'
import {attachAndWait, detachAndWait, judgeGroup, type TrafficMove} from '../../../strategies/immutable/traffic.js'
import {createFleet, HOUR, inService, openWorld, type World} from '../../aws/sim.js'
import {TRAFFIC_SOURCE} from '../../fakes/workspace.js'

function world(): World {
  return openWorld({targetGroups: {[TRAFFIC_SOURCE]: {}}, faults: {unhealthyVersions: ['*-bad']}})
}

function moveOf(w: World, withTargets = true): TrafficMove {
  return {
    fleet: w.fleet,
    ...(withTargets ? {targets: new ElbTargetGroups({client: w.clients.elbv2, clock: w.clock})} : {}),
    clock: w.clock,
    sources: [TRAFFIC_SOURCE],
    deadline: w.clock.now() + HOUR,
    pollIntervalMs: 5_000,
  }
}

describe('judgeGroup and the traffic moves', () => {
  it('a group serves once every instance is healthy in the target group, and leaves when detached', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    await inService(w, group, 2)
    const move = moveOf(w)
    // InService and healthy to EC2, but not registered in the target group yet: not serving.
    expect(await judgeGroup(move, group)).toEqual({ready: false})
    await attachAndWait(move, group)
    expect(await judgeGroup(move, group)).toEqual({ready: true})
    const health = await move.targets!.describeTargetHealth(TRAFFIC_SOURCE, (await w.fleet.describeGroup(group))!.instances.map((i) => i.id))
    expect(health.map((t) => t.state)).toEqual(['healthy', 'healthy'])

    await detachAndWait(move, group)
    const states = await w.fleet.describeTrafficSources(group)
    expect(states.filter((s) => s.identifier === TRAFFIC_SOURCE && s.state !== 'Removed')).toEqual([])
  })

  it('a group of no instances, or of fewer InService than desired, does not serve', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    await inService(w, group, 2)
    const move = moveOf(w, false)
    expect(await judgeGroup(move, group)).toEqual({ready: true})
    await w.fleet.setCapacity(group, {min: 0, max: 4, desired: 3})
    expect(await judgeGroup(move, group)).toEqual({ready: false})
    expect(await judgeGroup(move, 'no-such-group')).toEqual({ready: false})
    await w.fleet.setCapacity(group, {min: 0, max: 4, desired: 0})
    await w.clock.sleep(HOUR)
    expect((await w.fleet.describeGroup(group))!.instances.filter((i) => i.lifecycle !== 'Terminated')).toEqual([])
    expect(await judgeGroup(move, group)).toEqual({ready: false})
  })

  it('a bad version fails the move at once, naming the instances, instead of waiting out the deadline', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0-bad', 2)
    await inService(w, group, 2)
    const move = moveOf(w)
    const started = w.clock.now()
    const error = await attachAndWait(move, group).catch((e: unknown) => e as Error)
    expect(error).toBeInstanceOf(Error)
    expect(error!.message).toMatch(new RegExp(`instances of group ${group} (turned unhealthy|failed the health check of target group)`))
    expect(error!.message).toMatch(/i-[0-9a-f]+/)
    expect(w.clock.now() - started).toBeLessThan(HOUR / 2)
  })
})
