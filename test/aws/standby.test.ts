import {TerminateInstanceInAutoScalingGroupCommand} from '@aws-sdk/client-auto-scaling'
import {describe, expect, it} from 'vitest'
import type {GroupInfo} from '../../src/ports/fleet.js'
import {pollUntil} from '../../src/util/poll.js'
import {createFleet, HOUR, inService, openWorld, type World} from './sim.js'

function untilGroup(world: World, group: string, done: (info: GroupInfo) => boolean, what: string) {
  return pollUntil(
    async () => {
      const info = await world.fleet.describeGroup(group)
      return info && done(info) ? info : undefined
    },
    {clock: world.clock, deadline: world.clock.now() + HOUR, intervalMs: 2_000, maxIntervalMs: 10_000, what},
  )
}

const lifecycles = (info: GroupInfo | undefined, ids: string[]) =>
  ids.map((id) => info?.instances.find((i) => i.id === id)?.lifecycle)

describe('AutoScalingFleet standby on the simulated account', () => {
  it('takes 25 instances out of service in calls of at most 20, harmlessly again, and brings them back', async () => {
    const world = openWorld()
    const group = await createFleet(world, 'api-r1', '1.0.0', 25)
    const ids = (await inService(world, group, 25)).instances.map((i) => i.id)
    const calls = (command: string) => world.account.metrics().calls[`autoscaling:${command}`] ?? 0

    await world.fleet.enterStandby(group, ids)
    expect(calls('EnterStandby')).toBe(2)
    const entering = await world.fleet.describeGroup(group)
    // Desired capacity went down with each instance, so the group launched no replacements.
    expect(entering).toMatchObject({desired: 0, min: 0})
    expect(entering?.instances).toHaveLength(25)
    expect(new Set(lifecycles(entering, ids))).toEqual(new Set(['EnteringStandby']))

    // A resumed step enters again while they are on their way, then once they are there: nothing changes.
    await world.fleet.enterStandby(group, [...ids, ids[0]!])
    const standby = await untilGroup(world, group, (g) => g.instances.every((i) => i.lifecycle === 'Standby'), 'standby')
    await world.fleet.enterStandby(group, ids)
    expect(calls('EnterStandby')).toBe(2)
    expect(await world.fleet.describeGroup(group)).toMatchObject({desired: 0})
    expect(standby.instances).toHaveLength(25)

    // Some back first (the others stay out of service), then all of them: the first five are skipped.
    await world.fleet.exitStandby(group, ids.slice(0, 5))
    expect(await world.fleet.describeGroup(group)).toMatchObject({desired: 5})
    await world.fleet.exitStandby(group, ids)
    expect(calls('ExitStandby')).toBe(2)
    expect(await world.fleet.describeGroup(group)).toMatchObject({desired: 25})
    const back = await inService(world, group, 25)
    expect(new Set(lifecycles(back, ids))).toEqual(new Set(['InService']))

    // Instances not in Standby, or no longer in the group, are skipped.
    await world.fleet.exitStandby(group, [...ids, 'i-0000000000gone'])
    expect(calls('ExitStandby')).toBe(2)
    expect(await world.fleet.describeGroup(group)).toMatchObject({desired: 25})
    expect(world.account.view().groups.find((g) => g.name === group)?.instances).toHaveLength(25)
  })

  it('takes a seeded fleet out of service and back, whatever the order of the ids', async () => {
    const world = openWorld({fleets: {'api-fleet': {instances: 12, version: '1.0.0'}}})
    const ids = (await world.fleet.describeGroup('api-fleet'))!.instances.map((i) => i.id)
    expect(ids).toHaveLength(12)
    const wave = [...ids].reverse().slice(0, 4)

    await world.fleet.enterStandby('api-fleet', wave)
    await untilGroup(world, 'api-fleet', (g) => lifecycles(g, wave).every((l) => l === 'Standby'), 'wave in standby')
    expect(await world.fleet.describeGroup('api-fleet')).toMatchObject({desired: 8})
    await world.fleet.exitStandby('api-fleet', wave)
    const back = await inService(world, 'api-fleet', 12)
    expect(back).toMatchObject({desired: 12})
    expect(back.instances.map((i) => i.id).sort()).toEqual([...ids].sort())
  })

  it('rides out throttling, like every call', async () => {
    const world = openWorld({
      fleets: {'api-fleet': {instances: 30, version: '1.0.0'}},
      faults: {throttle: {rate: 0.5, services: ['autoscaling', 'ssm']}},
    })
    const ids = (await world.fleet.describeGroup('api-fleet'))!.instances.map((i) => i.id)
    await world.fleet.enterStandby('api-fleet', ids)
    expect(await world.parameters.put('/release/api/version', '1.0.1')).toBe(1)
    expect(await world.commands.instancesByTags({Role: 'api'})).toHaveLength(30)
    expect(world.retries.throttling).toBeGreaterThan(0)
    world.account.setFaults({})
    const info = await untilGroup(world, 'api-fleet', (g) => g.instances.every((i) => i.lifecycle === 'Standby'), 'standby')
    expect(info.desired).toBe(0)
  })

  it('refuses instances of another group before taking any out of service', async () => {
    const world = openWorld()
    const group = await createFleet(world, 'api-r1', '1.0.0', 3)
    const ids = (await inService(world, group, 3)).instances.map((i) => i.id)

    const error = await world.fleet.enterStandby(group, [...ids, 'i-0000000000stranger']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(String(error)).toContain('i-0000000000stranger')
    const info = await world.fleet.describeGroup(group)
    expect(info).toMatchObject({desired: 3})
    expect(new Set(lifecycles(info, ids))).toEqual(new Set(['InService']))
  })

  it('surfaces the refusal when the minimum size leaves no room to decrement', async () => {
    const world = openWorld()
    const group = await createFleet(world, 'api-r1', '1.0.0', 3)
    const ids = (await inService(world, group, 3)).instances.map((i) => i.id)
    await world.fleet.setCapacity(group, {min: 3, max: 10, desired: 3})

    await expect(world.fleet.enterStandby(group, ids.slice(0, 1))).rejects.toMatchObject({name: 'ValidationError'})
    expect(new Set(lifecycles(await world.fleet.describeGroup(group), ids))).toEqual(new Set(['InService']))
  })

  it('with a group read a while ago, moves the instances still where the call applies and leaves one that left since', async () => {
    const world = openWorld({fleets: {'api-fleet': {instances: 6, version: '1.0.0'}}})
    const read = await world.fleet.describeGroup('api-fleet')
    const ids = read?.instances.map((i) => i.id) ?? []
    const calls = (command: string) => world.account.metrics().calls[`autoscaling:${command}`] ?? 0
    // The group terminates one after the read (as after a failed health check): EnterStandby refuses the batch.
    await world.clients.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({InstanceId: ids[0], ShouldDecrementDesiredCapacity: false}))
    await world.fleet.enterStandby('api-fleet', ids, read)
    expect(calls('EnterStandby')).toBe(2)
    expect(lifecycles(await world.fleet.describeGroup('api-fleet'), ids.slice(1))).toEqual(ids.slice(1).map(() => 'EnteringStandby'))

    const standby = await untilGroup(world, 'api-fleet', (g) => ids.slice(1).every((id) => g.instances.find((i) => i.id === id)?.lifecycle === 'Standby'), 'standby')
    // A person brings one back after the read: ExitStandby refuses the batch, then returns the others.
    await world.fleet.exitStandby('api-fleet', ids.slice(1, 2))
    await world.fleet.exitStandby('api-fleet', ids.slice(1), standby)
    expect(calls('ExitStandby')).toBe(3)
    expect(new Set(lifecycles(await world.fleet.describeGroup('api-fleet'), ids.slice(1)))).not.toContain('Standby')
  })

  it('does nothing for no instances, and refuses a missing group', async () => {
    const world = openWorld()
    await world.fleet.enterStandby('nope', [])
    await world.fleet.exitStandby('nope', [])
    await expect(world.fleet.enterStandby('nope', ['i-0123456789abcdef0'])).rejects.toThrow(/nope does not exist/)
  })
})
