import {
  InvalidFilterKey,
  ListCommandsCommand,
  paginateListCommands,
  ValidationException,
  type Command,
} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {groupInstanceIds, harness, listInvocations, rejection, runShell, type Harness} from './helpers.js'

/** SSM's filter format: whole seconds, Z. */
function stamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

async function listed(h: Harness, filters: {key: 'InvokedAfter' | 'InvokedBefore'; value: string}[], pageSize = 50): Promise<Command[]> {
  const all: Command[] = []
  for await (const page of paginateListCommands({client: h.clients.ssm, pageSize}, {Filters: filters})) all.push(...(page.Commands ?? []))
  return all
}

describe('ListCommands', () => {
  it('answers the counts of many commands, newest first, filtered by time and paged', async () => {
    const h = harness({fleets: {'api-fleet': {instances: 120, version: '1.0.0'}}, faults: {unhealthyVersions: ['*-bad']}})
    const ids = await groupInstanceIds(h, 'api-fleet')
    const old = await runShell(h, ids.slice(0, 1), ['uptime'], 'before the window')
    h.clock.advance(60_000)
    const after = h.clock.now()

    const good = await runShell(h, ids.slice(0, 50), ['release-sim set-version 1.1.0', 'release-sim check'], 'to 1.1.0')
    const bad = await runShell(h, ids.slice(50, 100), ['release-sim set-version 2.0.0-bad', 'release-sim check'], 'to 2.0.0-bad')
    h.account.setFaults({unhealthyVersions: ['*-bad'], undeliverableInstances: 1})
    const lost = await runShell(h, ids.slice(100), ['release-sim set-version 1.1.0'], 'nowhere')
    h.account.setFaults({unhealthyVersions: ['*-bad']})

    const early = await listed(h, [{key: 'InvokedAfter', value: stamp(after)}], 2)
    expect(early.map((c) => c.CommandId)).toEqual([lost, bad, good])
    expect(early.map((c) => [c.Status, c.TargetCount, c.CompletedCount])).toEqual([
      ['Pending', 20, 0],
      ['Pending', 50, 0],
      ['Pending', 50, 0],
    ])
    expect(early[2]).toMatchObject({
      Comment: 'to 1.1.0',
      DocumentName: 'AWS-RunShellScript',
      DeliveryTimedOutCount: 0,
      ErrorCount: 0,
      RequestedDateTime: new Date(after),
    })
    expect(early[2]!.InstanceIds).toEqual(ids.slice(0, 50))

    h.clock.advance(5_000)
    expect((await listed(h, [{key: 'InvokedAfter', value: stamp(after)}])).map((c) => c.Status)).toContain('InProgress')

    h.clock.advance(3_600_000)
    const done = await listed(h, [{key: 'InvokedAfter', value: stamp(after)}])
    expect(done.map((c) => [c.CommandId, c.Status, c.TargetCount, c.CompletedCount, c.ErrorCount])).toEqual([
      [lost, 'Failed', 20, 20, 0],
      [bad, 'Failed', 50, 50, 50],
      [good, 'Success', 50, 50, 0],
    ])
    // The per-instance view agrees.
    expect((await listInvocations(h, bad)).every((i) => i.Status === 'Failed')).toBe(true)

    const before = await listed(h, [{key: 'InvokedBefore', value: stamp(after)}])
    expect(before.map((c) => c.CommandId)).toEqual([old])
    const between = await listed(h, [
      {key: 'InvokedAfter', value: stamp(after)},
      {key: 'InvokedBefore', value: stamp(after + 1_000)},
    ])
    expect(between).toHaveLength(3)
  })

  it('forgets commands after 30 days, as SSM does', async () => {
    const h = harness({fleets: {'api-fleet': {instances: 1, version: '1.0.0'}}})
    const ids = await groupInstanceIds(h, 'api-fleet')
    const old = await runShell(h, ids, ['uptime'])
    h.clock.advance(31 * 24 * 3_600_000)
    const recent = await runShell(h, ids, ['uptime'])
    expect((await listed(h, [])).map((c) => c.CommandId)).toEqual([recent])
    expect((await rejection(h.clients.ssm.send(new ListCommandsCommand({CommandId: old})))).name).toBe('InvalidCommandId')
  })

  it('refuses MaxResults above 50 and unknown filter keys', async () => {
    const h = harness()
    expect(await rejection(h.clients.ssm.send(new ListCommandsCommand({MaxResults: 51})))).toBeInstanceOf(ValidationException)
    const key = await rejection(h.clients.ssm.send(new ListCommandsCommand({Filters: [{key: 'Color' as never, value: 'x'}]})))
    expect(key).toBeInstanceOf(InvalidFilterKey)
    const value = await rejection(h.clients.ssm.send(new ListCommandsCommand({Filters: [{key: 'InvokedAfter', value: 'yesterday'}]})))
    expect(value).toBeInstanceOf(ValidationException)
  })
})
