import {describe, expect, it} from 'vitest'
import {FLEET_TEMPLATE, fleetParameters} from '../fakes/templates.js'
import {HOUR, inService, MINUTE, openWorld} from './sim.js'

describe('the adapters in a throttling storm', () => {
  it('ride out a minute in which every call is throttled, on the virtual clock', async () => {
    const world = openWorld()
    const stormStart = world.clock.now()
    world.account.setFaults({throttle: {rate: 1, until: stormStart + MINUTE}})

    // Every service at once, as a release would: CloudFormation, Auto Scaling and SSM.
    await world.stacks.createStack({
      stackName: 'web-storm',
      templateBody: FLEET_TEMPLATE,
      parameters: fleetParameters('1.0.0', 3),
      tags: {'release:target': 'web'},
      token: 'storm-create',
    })
    // The call was refused by the account for the whole storm, and went through only after it.
    expect(world.clock.now()).toBeGreaterThanOrEqual(stormStart + MINUTE)
    expect(world.retries.throttling).toBeGreaterThan(3)
    expect(world.account.metrics().throttled).toBe(world.retries.throttling)
    world.account.resetMetrics()

    const [created, missing] = await Promise.all([
      world.stacks.waitForCreate('web-storm', 'storm-create', {deadline: world.clock.now() + HOUR}),
      world.fleet.describeGroup('no-such-group'),
    ])
    expect(created).toEqual({ok: true, status: 'CREATE_COMPLETE'})
    expect(missing).toBeUndefined()

    const group = (await world.stacks.describeStack('web-storm'))!.outputs['GroupName']!
    const instances = (await inService(world, group, 3)).instances.map((i) => i.id)
    const secondStorm = world.clock.now()
    world.account.setFaults({throttle: {rate: 1, until: secondStorm + MINUTE, services: ['ssm']}})
    const commandIds = await world.commands.send({
      documentName: 'AWS-RunShellScript',
      instanceIds: instances,
      parameters: {commands: ['true']},
    })
    expect(commandIds).toHaveLength(1)
    expect(world.clock.now()).toBeGreaterThanOrEqual(secondStorm + MINUTE)
    const throttledBySsm = world.account.metrics().throttled
    expect(throttledBySsm).toBeGreaterThan(3)
    expect(await world.commands.invocations(commandIds)).toHaveLength(3)

    // One stack, one command: retries never created anything twice.
    expect(world.account.view().stacks.filter((s) => s.name === 'web-storm')).toHaveLength(1)
  })
})
