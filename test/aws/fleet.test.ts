import {describe, expect, it} from 'vitest'
import type {TrafficSourceState} from '../../src/ports/fleet.js'
import {pollUntil} from '../../src/util/poll.js'
import {createFleet, HOUR, inService, openWorld, type World} from './sim.js'

const TG_BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/0123456789abcdef'
const TG_GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/fedcba9876543210'

function untilSources(world: World, group: string, done: (sources: TrafficSourceState[]) => boolean) {
  return pollUntil(
    async () => {
      const sources = await world.fleet.describeTrafficSources(group)
      return done(sources) ? sources : undefined
    },
    {clock: world.clock, deadline: world.clock.now() + HOUR, intervalMs: 2_000, maxIntervalMs: 10_000, what: 'traffic sources'},
  )
}

describe('AutoScalingFleet on the simulated account', () => {
  it('describes a missing group as undefined', async () => {
    const world = openWorld()
    expect(await world.fleet.describeGroup('nope')).toBeUndefined()
  })

  it('sets capacity, and the group follows', async () => {
    const world = openWorld()
    const group = await createFleet(world, 'web-r1', '1.0.0', 2)
    const booted = await inService(world, group, 2)
    expect(booted).toMatchObject({name: group, desired: 2})
    expect(booted.instances.every((i) => i.health === 'Healthy' && i.id.startsWith('i-'))).toBe(true)

    await world.fleet.setCapacity(group, {min: 0, max: 10, desired: 4})
    expect(await world.fleet.describeGroup(group)).toMatchObject({min: 0, max: 10, desired: 4})
    expect((await inService(world, group, 4)).instances.filter((i) => i.lifecycle === 'InService')).toHaveLength(4)

    await world.fleet.setCapacity(group, {min: 0, max: 10, desired: 0})
    const empty = await pollUntil(
      async () => {
        const info = await world.fleet.describeGroup(group)
        return info?.instances.length === 0 ? info : undefined
      },
      {clock: world.clock, deadline: world.clock.now() + HOUR, intervalMs: 5_000, maxIntervalMs: 15_000, what: 'scale in'},
    )
    expect(empty.desired).toBe(0)
  })

  it('attaches and detaches traffic sources idempotently', async () => {
    const world = openWorld({targetGroups: {[TG_BLUE]: {}, [TG_GREEN]: {deregistrationDelaySeconds: 30}}})
    const group = await createFleet(world, 'web-r2', '1.0.0', 2)
    await inService(world, group, 2)

    await world.fleet.attachTrafficSources(group, [TG_BLUE, TG_GREEN])
    // A resumed step attaches again: nothing changes.
    await world.fleet.attachTrafficSources(group, [TG_BLUE, TG_GREEN, TG_BLUE])
    const attaching = await world.fleet.describeTrafficSources(group)
    expect(attaching.map((s) => s.identifier).sort()).toEqual([TG_BLUE, TG_GREEN].sort())
    expect(attaching.every((s) => ['Adding', 'Added', 'InService'].includes(s.state))).toBe(true)
    expect(attaching.every((s) => s.type === 'elbv2')).toBe(true)

    // The fleet's group uses EC2 health checks: its target groups stay Added (AWS's TrafficSourceState).
    const serving = await untilSources(world, group, (s) => s.length === 2 && s.every((x) => x.state === 'Added'))
    expect(serving).toHaveLength(2)

    await world.fleet.detachTrafficSources(group, [TG_BLUE, 'arn:never-attached'])
    await world.fleet.detachTrafficSources(group, [TG_BLUE])
    const removing = await world.fleet.describeTrafficSources(group)
    expect(removing.find((s) => s.identifier === TG_BLUE)?.state).toMatch(/^Remov/)
    expect(removing.find((s) => s.identifier === TG_GREEN)?.state).toBe('Added')

    const after = await untilSources(world, group, (s) => !s.some((x) => x.identifier === TG_BLUE))
    expect(after.map((s) => s.identifier)).toEqual([TG_GREEN])
    expect(world.account.view().trafficSources.find((t) => t.identifier === TG_GREEN)?.groups).toEqual([
      expect.objectContaining({name: group, state: 'Added'}),
    ])
  })
})
