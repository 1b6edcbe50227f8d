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

function outcomesOf(command: OneCommand) {
  const commands = {
    summaries: async () => [command.summary()],
    invocations: async () => command.invocations(),
  } as unknown as CommandPort
  const outcomes = new CommandOutcomes({commands} as unknown as IncrementalDeps)
  outcomes.sent(command.commandId, 0)
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
    const command = new OneCommand('c-1', ['i-1', 'i-2', 'i-3'])
    const look = outcomesOf(command)
    command.ended.set('i-1', 'Success')
    expect(await look()).toEqual([])
    expect(await look()).toEqual(['i-1:Success'])
    expect(await look()).toEqual([])
    command.ended.set('i-2', 'Success')
    command.ended.set('i-3', 'Success')
    expect(await look()).toEqual(['i-2:Success', 'i-3:Success'])
  })

  it('a failure is seen at the look that counts it, not a look later', async () => {
    const command = new OneCommand('c-2', ['i-1', 'i-2', 'i-3'])
    const look = outcomesOf(command)
    command.ended.set('i-2', 'Failed')
    expect(await look()).toEqual(['i-2:Failed'])
  })
})
