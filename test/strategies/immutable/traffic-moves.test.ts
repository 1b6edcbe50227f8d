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
