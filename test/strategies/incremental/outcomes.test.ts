import {describe, expect, it} from 'vitest'
import type {CommandPort, CommandSummary, InvocationResult} from '../../../src/ports/commands.js'
import type {IncrementalDeps} from '../../../strategies/incremental/deps.js'
import {CommandOutcomes} from '../../../strategies/incremental/outcomes.js'

/** One command's invocations as SSM would report them; each look the test sets what has ended. */
class OneCommand {
  ended = new Map<string, 'Success' | 'Failed'>()
  constructor(
    readonly commandId: string,
    readonly instanceIds: string[],
  ) {}
  summary(): CommandSummary {
    const statuses = [...this.ended.values()]
    const all = statuses.length === this.instanceIds.length
    return {
      commandId: this.commandId,
      status: all ? (statuses.every((s) => s === 'Success') ? 'Success' : 'Failed') : 'InProgress',
      targetCount: this.instanceIds.length,
      completedCount: statuses.length,
      errorCount: statuses.filter((s) => s === 'Failed').length,
      deliveryTimedOutCount: 0,
    }
  }
  invocations(): InvocationResult[] {
    return this.instanceIds.map((instanceId) => {
      const status = this.ended.get(instanceId)
      return {commandId: this.commandId, instanceId, status: status ?? 'InProgress', done: status !== undefined, ok: status === 'Success'}
    })
  }
}

/** Instance ids i-1 .. i-n. */
const ids = (n: number) => Array.from({length: n}, (_, i) => `i-${i + 1}`)

/** The calls of one look at a time: how the outcomes read the commands. */
function outcomesOf(command: OneCommand, calls: string[] = [], window = 100) {
  const commands = {
    summaries: async () => (calls.push('summaries'), [command.summary()]),
    invocations: async () => (calls.push('invocations'), command.invocations()),
  } as unknown as CommandPort
  const outcomes = new CommandOutcomes({commands} as unknown as IncrementalDeps, window)
  for (const _ of command.instanceIds) outcomes.sent(command.commandId, 0)
  const waiting = new Set(command.instanceIds)
  return async () => {
    const results = await outcomes.finished([command.commandId], () => [...waiting])
    const seen = [...results.values()].map((r) => `${r.instanceId}:${r.status}`)
    for (const r of results.values()) waiting.delete(r.instanceId)
    return seen.sort()
  }
}

describe('command outcomes (what a look learns of the changes in flight)', () => {
  it('a single new end waits one look at most, then is seen once; a command done everywhere needs no listing to be seen', async () => {
    // More than a page of invocations in flight: the counts are read first.
    const command = new OneCommand('c-1', ids(60))
    const calls: string[] = []
    const look = outcomesOf(command, calls)
    command.ended.set('i-1', 'Success')
    expect(await look()).toEqual([])
    expect(await look()).toEqual(['i-1:Success'])
    expect(await look()).toEqual([])
    expect(calls).toEqual(['summaries', 'summaries', 'invocations', 'summaries'])
    for (const id of ids(60).slice(1)) command.ended.set(id, 'Success')
    expect(await look()).toHaveLength(59)
    expect(calls.slice(4)).toEqual(['summaries'])
  })

  it('a failure is seen at the look that counts it, not a look later', async () => {
    const command = new OneCommand('c-2', ids(60))
    const look = outcomesOf(command)
    command.ended.set('i-2', 'Failed')
    expect(await look()).toEqual(['i-2:Failed'])
  })

  it('in a window of 1,000 places, a command with fewer than 6 new ends waits one look; with 6 it is listed at once', async () => {
    const command = new OneCommand('c-4', ids(60))
    const look = outcomesOf(command, [], 1_000)
    for (const id of ids(5)) command.ended.set(id, 'Success')
    expect(await look()).toEqual([])
    expect(await look()).toHaveLength(5)
    for (const id of ids(11).slice(5)) command.ended.set(id, 'Success')
    expect(await look()).toHaveLength(6)
  })

  it('while what is in flight fits one page, a look lists it without reading the counts, and sees a single end at once', async () => {
    const command = new OneCommand('c-3', ids(3))
    const calls: string[] = []
    const look = outcomesOf(command, calls)
    expect(await look()).toEqual([])
    command.ended.set('i-1', 'Success')
    expect(await look()).toEqual(['i-1:Success'])
    command.ended.set('i-3', 'Failed')
    expect(await look()).toEqual(['i-3:Failed'])
    expect(calls).toEqual(['invocations', 'invocations', 'invocations'])
  })
})
