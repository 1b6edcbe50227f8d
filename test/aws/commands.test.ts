import {ListCommandsCommand} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {PartialSendError} from '../../src/aws/index.js'
import type {InvocationResult} from '../../src/ports/commands.js'
import {pollUntil} from '../../src/util/poll.js'
import {createFleet, HOUR, inService, openWorld, type World} from './sim.js'

async function fleetOf(world: World, count: number, version = '1.0.0') {
  const group = await createFleet(world, 'api-r1', version, count)
  const info = await inService(world, group, count)
  return info.instances.map((i) => i.id)
}

function untilDone(world: World, commandIds: string[]) {
  return pollUntil(
    async () => {
      const results = await world.commands.invocations(commandIds)
      return results.length > 0 && results.every((r) => r.done) ? results : undefined
    },
    {clock: world.clock, deadline: world.clock.now() + HOUR, intervalMs: 5_000, maxIntervalMs: 15_000, what: 'invocations'},
  )
}

const apply = (instanceIds: string[]) => ({
  documentName: 'AWS-RunShellScript',
  instanceIds,
  parameters: {commands: ['/opt/app/apply.sh 1.0.1']},
  comment: 'release api r1: apply 1.0.1',
})

describe('SsmCommands on the simulated account', () => {
  it('sends to 120 instances as three commands of at most 50, and reads their invocations in aggregate', async () => {
    const world = openWorld()
    const instanceIds = await fleetOf(world, 120)
    const commandIds = await world.commands.send(apply(instanceIds))
    expect(commandIds).toHaveLength(3)

    const listed = await world.clients.ssm.send(new ListCommandsCommand({}))
    const commands = (listed.Commands ?? []).filter((c) => commandIds.includes(c.CommandId ?? ''))
    expect(commands.map((c) => c.InstanceIds?.length).sort()).toEqual([20, 50, 50])
    expect(new Set(commands.flatMap((c) => c.InstanceIds ?? []))).toEqual(new Set(instanceIds))

    // Right after SendCommand nothing is listed yet: that is "pending", not an error.
    const early = await world.commands.invocations(commandIds)
    expect(early).toHaveLength(120)
    expect(early.every((r) => !r.done && !r.ok)).toBe(true)

    const results = await untilDone(world, commandIds)
    expect(results).toHaveLength(120)
    expect(new Set(results.map((r) => r.instanceId))).toEqual(new Set(instanceIds))
    expect(results.every((r) => r.ok && r.status === 'Success')).toBe(true)
  })

  it('counts Undeliverable as a failure', async () => {
    const world = openWorld({faults: {undeliverableInstances: 1}})
    const instanceIds = await fleetOf(world, 3)
    const results = await untilDone(world, await world.commands.send(apply(instanceIds)))
    expect(results.map((r: InvocationResult) => [r.status, r.done, r.ok])).toEqual([
      ['Undeliverable', true, false],
      ['Undeliverable', true, false],
      ['Undeliverable', true, false],
    ])
  })

  it('reports failed invocations as done and not ok', async () => {
    const world = openWorld({faults: {commandFailureRate: 1}})
    const instanceIds = await fleetOf(world, 3)
    const results = await untilDone(world, await world.commands.send(apply(instanceIds)))
    expect(results).toHaveLength(3)
    expect(results.every((r) => r.done && !r.ok && r.status === 'Failed')).toBe(true)
  })

  it('reads invocations of commands another process sent (a resumed release)', async () => {
    const world = openWorld()
    const instanceIds = await fleetOf(world, 5)
    const commandIds = await world.commands.send(apply(instanceIds))
    const {SsmCommands} = await import('../../src/aws/index.js')
    const resumed = new SsmCommands({client: world.clients.ssm, clock: world.clock})
    const early = await resumed.invocations(commandIds)
    expect(early.map((r) => r.instanceId).sort()).toEqual([...instanceIds].sort())
    expect(early.every((r) => !r.done)).toBe(true)
  })

  it('keeps the ids of chunks already sent when a later chunk is refused', async () => {
    const world = openWorld()
    const instanceIds = await fleetOf(world, 55)
    const error = await world.commands.send(apply([...instanceIds, 'i-0000000000doesnotexist'])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PartialSendError)
    const partial = error as PartialSendError
    expect(partial.commandIds).toHaveLength(1)
    const results = await untilDone(world, partial.commandIds)
    expect(results).toHaveLength(50)
  })

  it('sends nothing for no instances', async () => {
    const world = openWorld()
    expect(await world.commands.send(apply([]))).toEqual([])
  })
})
