/**
 * The traffic moves of an immutable release (strategies/immutable/traffic.ts) beyond traffic.test.ts:
 * a target with no traffic sources, the watch a detach runs on each look, a move that never ends,
 * and how a bad version is named. On the simulated account through the real adapters.
 */
import {describe, expect, it} from 'vitest'
import {ElbTargetGroups} from '../../../src/aws/index.js'
import type {FleetPort} from '../../../src/ports/fleet.js'
import {attachAndWait, detachAndWait, judgeGroup, type TrafficMove} from '../../../strategies/immutable/traffic.js'
import {createFleet, HOUR, inService, MINUTE, openWorld, type World} from '../../aws/sim.js'
import {TRAFFIC_SOURCE} from '../../fakes/workspace.js'

function world(): World {
  return openWorld({targetGroups: {[TRAFFIC_SOURCE]: {}}, faults: {unhealthyVersions: ['*-bad']}})
}

function moveOf(w: World, fields: Partial<TrafficMove> = {}): TrafficMove {
  return {
    fleet: w.fleet,
    targets: new ElbTargetGroups({client: w.clients.elbv2, clock: w.clock}),
    clock: w.clock,
    sources: [TRAFFIC_SOURCE],
    deadline: w.clock.now() + HOUR,
    pollIntervalMs: 5_000,
    ...fields,
  }
}

/** A fleet port that fails any call: what must not be asked is not. */
const untouchable = new Proxy({} as FleetPort, {
  get: (_, call) => () => Promise.reject(new Error(`Auto Scaling asked: ${String(call)}`)),
})

describe('the traffic moves', () => {
  it('moves nothing for a target without traffic sources, asking Auto Scaling nothing', async () => {
    const w = world()
    const move = moveOf(w, {fleet: untouchable, sources: []})
    await attachAndWait(move, 'release-web-1')
    await detachAndWait(move, 'release-web-1')
  })

  it('runs the watch at each look of a detach, and stops with its error', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    await inService(w, group, 2)
    const move = moveOf(w)
    await attachAndWait(move, group)
    let looks = 0
    await detachAndWait(move, group, () => {
      looks++
      return Promise.resolve()
    })
    // The deregistration delay (300 s) is watched through, a look at a time.
    expect(looks).toBeGreaterThan(1)

    await attachAndWait(move, group)
    const started = w.clock.now()
    await expect(detachAndWait(move, group, () => Promise.reject(new Error('the new group turned unhealthy')))).rejects.toThrow('the new group turned unhealthy')
    expect(w.clock.now()).toBe(started)
  })

  it('names the group and its sources when a move does not end by its deadline', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    await inService(w, group, 2)
    const started = w.clock.now()
    // The load balancer needs five passed checks 30 s apart: not within a minute.
    await expect(attachAndWait(moveOf(w, {deadline: started + MINUTE}), group)).rejects.toThrow(
      `waiting for group ${group} to be healthy in ${TRAFFIC_SOURCE}`,
    )
    expect(w.clock.now()).toBe(started + MINUTE)
  })

  it('waits for a source that is no target group to be InService, the target groups healthy too', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    await inService(w, group, 2)
    // A classic load balancer next to the target group, InService ten minutes after the attach (the
    // simulated account has none: Auto Scaling's answers for it are added to the real ones).
    // Detached, it shows Removing for a minute, then Removed.
    const classic = 'api-classic-lb'
    const inServiceAt = w.clock.now() + 10 * MINUTE
    let removedAt = Number.POSITIVE_INFINITY
    let looks = 0
    const classicState = () => (w.clock.now() >= removedAt ? 'Removed' : removedAt < Number.POSITIVE_INFINITY ? 'Removing' : w.clock.now() >= inServiceAt ? 'InService' : 'Adding')
    const fleet: FleetPort = Object.assign(Object.create(w.fleet) as FleetPort, {
      attachTrafficSources: (name: string, ids: string[]) => w.fleet.attachTrafficSources(name, ids.filter((id) => id !== classic)),
      detachTrafficSources: (name: string, ids: string[]) => {
        removedAt = w.clock.now() + MINUTE
        return w.fleet.detachTrafficSources(name, ids.filter((id) => id !== classic))
      },
      describeTrafficSources: async (name: string) => {
        looks++
        // Listed after the target group, then first once detached: no reader may count on Auto Scaling's order.
        const listed = {identifier: classic, type: 'elb', state: classicState()}
        const real = await w.fleet.describeTrafficSources(name)
        return removedAt < Number.POSITIVE_INFINITY ? [listed, ...real] : [...real, listed]
      },
    })
    const move = moveOf(w, {fleet, sources: [TRAFFIC_SOURCE, classic]})
    await attachAndWait(move, group)
    // Looked at least every 15 s (three poll intervals), not more often than every 5 s: seen InService within that.
    expect(w.clock.now()).toBeGreaterThanOrEqual(inServiceAt)
    expect(w.clock.now()).toBeLessThanOrEqual(inServiceAt + 15_000)
    expect(looks).toBeLessThanOrEqual(10 * MINUTE / 5_000)

    // Gone from both: the classic one Removed after a minute, the target group after its deregistration delay.
    await detachAndWait(move, group)
    expect(w.clock.now()).toBeGreaterThanOrEqual(removedAt + 4 * MINUTE)
    expect((await w.fleet.describeTrafficSources(group)).filter((t) => t.identifier === TRAFFIC_SOURCE && t.state !== 'Removed')).toEqual([])
  })

  it('without the target group port, a target group is a source like any other: attached once InService', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    await inService(w, group, 2)
    // Auto Scaling leaves a target group Added for good when the group's health checks are EC2's.
    const started = w.clock.now()
    await expect(attachAndWait(moveOf(w, {targets: undefined, deadline: started + 10 * MINUTE}), group)).rejects.toThrow(/^Timed out after 10m /)
    expect((await w.fleet.describeTrafficSources(group)).map((s) => s.state)).toEqual(['Added'])
  })

  it('fails a move when an instance turns unhealthy to EC2, naming it', async () => {
    const w = openWorld({targetGroups: {[TRAFFIC_SOURCE]: {}}, faults: {degradeVersions: [{pattern: '1.0.0', afterSeconds: 60}]}})
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    const ids = (await inService(w, group, 2)).instances.map((i) => i.id)
    await expect(attachAndWait(moveOf(w), group)).rejects.toThrow(new RegExp(`^1 instances of group ${group} turned unhealthy while joining the traffic sources \\((${ids.join('|')})\\)$`))
    await w.clock.sleep(MINUTE)
    await expect(judgeGroup(moveOf(w), group)).rejects.toThrow(`2 instances of group ${group} turned unhealthy while joining the traffic sources (${ids.join(', ')})`)
  })

  it('does not serve until every target is healthy: an instance just launched is not yet', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    await inService(w, group, 2)
    const move = moveOf(w)
    await attachAndWait(move, group)
    await w.fleet.setCapacity(group, {min: 0, max: 3, desired: 3})
    await inService(w, group, 3)
    // Registered in the target group, its health checks not passed yet.
    expect(await judgeGroup(move, group)).toEqual({ready: false})
    await attachAndWait(move, group)
    expect(await judgeGroup(move, group)).toEqual({ready: true})
  })

  it('names the group and its sources when a detach does not end by its deadline', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    await inService(w, group, 2)
    await attachAndWait(moveOf(w), group)
    // The deregistration delay is 300 s.
    await expect(detachAndWait(moveOf(w, {deadline: w.clock.now() + MINUTE}), group)).rejects.toThrow(`waiting for group ${group} to leave ${TRAFFIC_SOURCE}`)
  })

  it("names each instance that failed the load balancer's health check, with the reason", async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0-bad', 2)
    const ids = (await inService(w, group, 2)).instances.map((i) => i.id)
    const move = moveOf(w)
    await move.fleet.attachTrafficSources(group, [TRAFFIC_SOURCE])
    const error = await (async () => {
      for (;;) {
        await judgeGroup(move, group)
        await w.clock.sleep(5_000)
      }
    })().catch((e: unknown) => e as Error)
    // Healthy to EC2, failing the load balancer's check: named with the load balancer's reason.
    const named = ids.map((id) => `${id}: Target.ResponseCodeMismatch`).join(', ')
    expect(error.message).toBe(`2 of 2 instances of group ${group} failed the health check of target group ${TRAFFIC_SOURCE} (${named})`)
  })
})
