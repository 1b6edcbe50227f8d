/**
 * The adapters over a network that resets and times out a large share of the calls (the simulated
 * account's `network` fault, half before the service sees the call, half after it carried it out):
 * every call of ours ends as it would without, and the one call that is not idempotent, SendCommand,
 * is carried out exactly once per send.
 */
import {paginateListCommands} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {MINUTE, createFleet, inService, openWorld, type World} from './sim.js'

async function allCommands(world: World) {
  world.account.setFaults({...world.account.faults, network: undefined})
  const commands = []
  for await (const page of paginateListCommands({client: world.clients.ssm}, {})) commands.push(...(page.Commands ?? []))
  return commands
}

describe('adapters under network faults', () => {
  it('SendCommand: each send is carried out once, though SSM lost the answer of some', async () => {
    const world = openWorld({seed: 11})
    const group = await createFleet(world, 'api-r1', '1.0.0', 4)
    const instanceIds = (await inService(world, group, 4)).instances.map((i) => i.id)
    world.account.setFaults({network: {rate: 0.4, services: ['ssm']}})
    world.account.resetMetrics()

    const sent: string[] = []
    for (let i = 0; i < 30; i++) {
      const [commandId] = await world.commands.send({
        documentName: 'AWS-RunShellScript',
        instanceIds,
        parameters: {commands: [`echo ${i}`]},
        comment: `release api step ${i}`,
      })
      sent.push(commandId!)
    }

    const {lostAnswers, before} = world.account.metrics().networkFailures
    expect(lostAnswers['ssm:SendCommand']).toBeGreaterThan(2)
    expect(before).toBeGreaterThan(0)
    expect(world.retries.transport).toBeGreaterThan(5)
    const commands = await allCommands(world)
    // As many commands as sends, one per step, and the ids we were given are the ones SSM ran.
    expect(commands).toHaveLength(30)
    const steps = commands.map((c) => c.Comment?.replace(/^#[0-9a-f]+ /, ''))
    expect(new Set(steps).size).toBe(30)
    expect(new Set(commands.map((c) => c.CommandId))).toEqual(new Set(sent))
  })

  it('CloudFormation and Auto Scaling: a stack created once, Standby moves that were lost are found done', async () => {
    const world = openWorld({seed: 5, faults: {network: {rate: 0.3, services: ['cloudformation', 'autoscaling']}}})
    const group = await createFleet(world, 'web-r1', '1.0.0', 6)
    const ids = (await inService(world, group, 6)).instances.map((i) => i.id)
    // One call per instance, for many chances of a lost answer; Standby is reached after a while.
    for (const id of ids) await world.fleet.enterStandby(group, [id])
    world.clock.advance(10 * MINUTE)
    expect((await world.fleet.describeGroup(group))?.instances.map((i) => i.lifecycle)).toEqual(ids.map(() => 'Standby'))
    for (const id of ids) await world.fleet.exitStandby(group, [id])
    world.clock.advance(10 * MINUTE)
    const {lostAnswers} = world.account.metrics().networkFailures
    expect((lostAnswers['autoscaling:EnterStandby'] ?? 0) + (lostAnswers['autoscaling:ExitStandby'] ?? 0)).toBeGreaterThan(0)
    expect(world.retries.transport).toBeGreaterThan(5)
    world.account.setFaults({})
    const info = await world.fleet.describeGroup(group)
    // Every instance is back: none left in Standby, the capacity as it was.
    expect(info?.desired).toBe(6)
    expect(info?.instances.map((i) => i.lifecycle)).toEqual(ids.map(() => 'InService'))
    expect((await world.stacks.listStacks()).map((s) => s.name)).toEqual(['web-r1'])
  })
})
