import {describe, expect, it} from 'vitest'
import type {CommandSummary} from '../../src/ports/commands.js'
import {SsmCommands} from '../../src/aws/commands.js'
import {pollUntil} from '../../src/util/poll.js'
import {createFleet, HOUR, inService, openWorld, type World} from './sim.js'

async function fleetOf(world: World, count: number) {
  const group = await createFleet(world, 'api-r1', '1.0.0', count)
  return (await inService(world, group, count)).instances.map((i) => i.id)
}

const setVersion = (instanceIds: string[], version: string) => ({
  documentName: 'AWS-RunShellScript',
  instanceIds,
  parameters: {commands: [`release-sim set-version ${version}`]},
  comment: `release api: set ${version}`,
})

function until<T>(world: World, read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  return pollUntil(
    async () => {
      const value = await read()
      return done(value) ? value : undefined
    },
    {clock: world.clock, deadline: world.clock.now() + HOUR, intervalMs: 5_000, maxIntervalMs: 15_000, what},
  )
}

/** A command id SSM never issued (well formed, so it is not refused as invalid). */
const NEVER_SENT = '00000000-0000-4000-8000-000000000000'

describe('SsmCommands for in-place releases on the simulated account', () => {
  it('reads the counts of three commands in one call, and a command not listed yet as Pending', async () => {
    const world = openWorld()
    const instanceIds = await fleetOf(world, 120)
    const sentAfter = world.clock.now()
    const commandIds = await world.commands.send(setVersion(instanceIds, '1.0.1'))
    expect(commandIds).toHaveLength(3)

    const early = await world.commands.summaries([...commandIds, NEVER_SENT], sentAfter)
    expect(early.map((s) => s.commandId)).toEqual([...commandIds, NEVER_SENT])
    expect(early.map((s) => s.targetCount)).toEqual([50, 50, 20, 0])
    expect(early.every((s) => s.completedCount === 0)).toBe(true)
    expect(early[3]).toEqual({
      commandId: NEVER_SENT,
      status: 'Pending',
      targetCount: 0,
      completedCount: 0,
      errorCount: 0,
      deliveryTimedOutCount: 0,
    })

    const done = await until(
      world,
      () => world.commands.summaries(commandIds, sentAfter),
      (summaries: CommandSummary[]) => summaries.every((s) => s.status === 'Success'),
      'three commands to succeed',
    )
    expect(done.map((s) => [s.completedCount, s.targetCount, s.errorCount])).toEqual([
      [50, 50, 0],
      [50, 50, 0],
      [20, 20, 0],
    ])
    expect(await world.commands.summaries([], sentAfter)).toEqual([])
  })

  it('pages through the commands sent after the given time, and only those', async () => {
    const world = openWorld()
    const instanceIds = await fleetOf(world, 2)
    const old = await world.commands.send(setVersion(instanceIds, '1.0.1'))
    await world.clock.sleep(HOUR)
    const sentAfter = world.clock.now()
    // 120 commands since: three pages of ListCommands.
    const recent: string[] = []
    for (let i = 0; i < 120; i++) recent.push(...(await world.commands.send(setVersion(instanceIds, `1.0.${i + 2}`))))
    world.account.resetMetrics()

    const summaries = await world.commands.summaries([recent[0]!, recent[119]!, ...old], sentAfter)
    expect(summaries.map((s) => [s.commandId, s.targetCount])).toEqual([
      [recent[0], 2],
      [recent[119], 2],
      // Sent before `sentAfter`: not listed, so it reads as not started. Callers pass a time before their first send.
      [old[0], 0],
    ])
    expect(summaries[2]?.status).toBe('Pending')
    // At most one listing per command asked about (120 commands were sent since: never a page walk).
    expect(world.account.metrics().calls['ssm:ListCommands']).toBeLessThanOrEqual(3)
  })

  it('counts failed invocations in a summary', async () => {
    const world = openWorld({faults: {commandFailureRate: 1}})
    const instanceIds = await fleetOf(world, 3)
    const sentAfter = world.clock.now()
    const commandIds = await world.commands.send(setVersion(instanceIds, '1.0.1'))
    const [summary] = await until(
      world,
      () => world.commands.summaries(commandIds, sentAfter),
      (s) => s[0]?.completedCount === 3,
      'the command to end',
    )
    expect(summary).toMatchObject({status: 'Failed', targetCount: 3, completedCount: 3, errorCount: 3})
  })

  it('reads the instances output only when asked, trimmed', async () => {
    const world = openWorld()
    const instanceIds = await fleetOf(world, 2)
    const commandIds = await world.commands.send(setVersion(instanceIds, '1.0.1'))

    const withOutput = await until(
      world,
      () => world.commands.invocations(commandIds, {withOutput: true}),
      (results) => results.every((r) => r.done),
      'invocations',
    )
    expect(withOutput.map((r) => r.output)).toEqual([
      '$ release-sim set-version 1.0.1\nversion set to 1.0.1',
      '$ release-sim set-version 1.0.1\nversion set to 1.0.1',
    ])

    const without = await world.commands.invocations(commandIds)
    expect(without).toHaveLength(2)
    expect(without.every((r) => r.ok && r.output === undefined)).toBe(true)
  })
})

describe('SsmCommands lists small commands sent close together by time range', () => {
  const listings = (world: World) => world.account.metrics().calls['ssm:ListCommandInvocations'] ?? 0

  it('answers for three commands with one ListCommandInvocations, as three listings by CommandId would, without a command of another document sent between them', async () => {
    const world = openWorld({documents: {'Release-Deploy': {parameters: ['version', 'target']}}})
    const instanceIds = await fleetOf(world, 12)
    const commandIds: string[] = []
    for (const [i, group] of [instanceIds.slice(0, 3), instanceIds.slice(3, 6), instanceIds.slice(6, 9)].entries()) {
      commandIds.push(...(await world.commands.send(setVersion(group, `1.0.${i + 1}`))))
      if (i === 0) await world.commands.send({documentName: 'Release-Deploy', instanceIds: instanceIds.slice(9), parameters: {version: ['2'], target: ['api']}})
      await world.clock.sleep(2_000)
    }
    await world.clock.sleep(60_000)

    const before = listings(world)
    const together = await world.commands.invocations(commandIds)
    expect(listings(world) - before).toBe(1)
    expect(together.map((r) => [r.commandId, r.instanceId, r.status])).toEqual(
      commandIds.flatMap((commandId, i) => instanceIds.slice(3 * i, 3 * i + 3).map((instanceId) => [commandId, instanceId, 'Success'])),
    )
    // The same answer as a process that knows none of them (a resumed release), listing each by CommandId.
    const fresh = new SsmCommands({client: world.clients.ssm, clock: world.clock})
    const apart = await fresh.invocations(commandIds)
    expect(listings(world) - before).toBe(1 + 3)
    expect(apart.map((r) => [r.commandId, r.instanceId, r.status]).sort()).toEqual(together.map((r) => [r.commandId, r.instanceId, r.status]).sort())
  })
})

describe('SsmCommands lookups on the simulated account', () => {
  it('reads a document parameters, and a missing document as undefined', async () => {
    const world = openWorld()
    const document = await world.commands.describeDocument('AWS-RunShellScript')
    expect(document?.parameters).toContain('commands')
    expect(await world.commands.describeDocument('No-Such-Document')).toBeUndefined()
  })

  it('reads a custom document parameters', async () => {
    const world = openWorld({documents: {'Release-Deploy': {parameters: ['version', 'target']}}})
    expect(await world.commands.describeDocument('Release-Deploy')).toEqual({parameters: ['version', 'target'], required: []})
  })

  it('finds a fleet by its instances tags, across pages', async () => {
    const world = openWorld({
      fleets: {'api-fleet': {instances: 60, version: '1.0.0'}, 'db-fleet': {instances: 3, version: '9.6'}},
    })
    const api = (await world.fleet.describeGroup('api-fleet'))!.instances.map((i) => i.id).sort()
    world.account.resetMetrics()

    expect(await world.commands.instancesByTags({Role: 'api'})).toEqual(api)
    // 60 instances in pages of 50: the pages it needs, no more.
    expect(world.account.metrics().calls['ssm:DescribeInstanceInformation']).toBeLessThanOrEqual(2)
    expect(await world.commands.instancesByTags({Role: 'api', Name: 'api-fleet'})).toEqual(api)
    expect(await world.commands.instancesByTags({Role: 'db'})).toHaveLength(3)
    expect(await world.commands.instancesByTags({Role: 'api', Name: 'db-fleet'})).toEqual([])
    await expect(world.commands.instancesByTags({})).rejects.toThrow(/at least one tag/)
  })
})
