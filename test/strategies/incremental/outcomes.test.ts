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
  invocations(withOutput = false): InvocationResult[] {
    return this.instanceIds.map((instanceId) => {
      const status = this.ended.get(instanceId)
      const output = withOutput && status !== undefined ? {output: `${instanceId} printed: ${status}`} : {}
      return {commandId: this.commandId, instanceId, status: status ?? 'InProgress', done: status !== undefined, ok: status === 'Success', ...output}
    })
  }
}

/** Instance ids i-1 .. i-n. */
const ids = (n: number) => Array.from({length: n}, (_, i) => `i-${i + 1}`)

/** The calls of one look at a time: how the outcomes read the commands. */
function outcomesOf(command: OneCommand, calls: string[] = [], window = 100) {
  const commands = {
    summaries: async () => (calls.push('summaries'), [command.summary()]),
    invocations: async (_ids: string[], options?: {withOutput?: boolean}) => (calls.push(options?.withOutput ? 'invocations with output' : 'invocations'), command.invocations(options?.withOutput)),
  } as unknown as CommandPort
  const outcomes = new CommandOutcomes({commands} as unknown as IncrementalDeps, window)
  for (const _ of command.instanceIds) outcomes.sent(command.commandId, 0)
  const waiting = new Set(command.instanceIds)
  return async () => {
    const results = await outcomes.finished([command.commandId], () => [...waiting])
    const seen = [...results.values()].map((r) => `${r.instanceId}:${r.status}${r.output ? ` (${r.output})` : ''}`)
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
    expect(await look()).toEqual(['i-2:Failed (i-2 printed: Failed)'])
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
    // A failure is told with what the instance printed: its command listed again with the output, once.
    command.ended.set('i-3', 'Failed')
    expect(await look()).toEqual(['i-3:Failed (i-3 printed: Failed)'])
    expect(calls).toEqual(['invocations', 'invocations', 'invocations', 'invocations with output'])
  })
})

/** Commands whose counts and listings each look sets by hand (what SSM answers), and the calls made. */
function scripted(window = 100) {
  const state = {summaries: [] as CommandSummary[], invocations: [] as InvocationResult[], calls: [] as string[], since: [] as number[]}
  const commands = {
    summaries: async (_ids: string[], since: number) => (state.calls.push('summaries'), state.since.push(since), state.summaries),
    invocations: async (ids: string[], options?: {withOutput?: boolean}) => (state.calls.push(`invocations ${ids.join(',')}${options?.withOutput ? ' with output' : ''}`), state.invocations),
  } as unknown as CommandPort
  const outcomes = new CommandOutcomes({commands} as unknown as IncrementalDeps, window)
  return {state, outcomes}
}
const summary = (commandId: string, s: Partial<CommandSummary>): CommandSummary => ({commandId, status: 'InProgress', targetCount: 60, completedCount: 0, errorCount: 0, deliveryTimedOutCount: 0, ...s})
const ended = (commandId: string, n: number, status: 'Success' | 'Failed' = 'Success'): InvocationResult[] =>
  ids(n).map((instanceId) => ({commandId, instanceId, status, done: true, ok: status === 'Success'}))

describe('command outcomes: the counts read before listing', () => {
  it('asks nothing when no command is in flight', async () => {
    const {state, outcomes} = scripted()
    expect((await outcomes.finished([], () => [])).size).toBe(0)
    expect(state.calls).toEqual([])
  })

  it('reads the counts from a minute before the oldest command in flight, when its first instance was sent', async () => {
    const {state, outcomes} = scripted()
    for (const _ of ids(30)) outcomes.sent('old', 100_000)
    for (const _ of ids(30)) outcomes.sent('old', 400_000)
    for (const _ of ids(30)) outcomes.sent('new', 200_000)
    await outcomes.finished(['new', 'old'], () => [])
    expect(state.since).toEqual([40_000])
  })

  it('lists without the counts while exactly a page is in flight; commands no longer in flight, sent before, do not count', async () => {
    const {state, outcomes} = scripted()
    for (const _ of ids(40)) outcomes.sent('done', 1_000)
    for (const _ of ids(50)) outcomes.sent('c', 5_000)
    await outcomes.finished(['c'], () => ids(50))
    expect(state.calls).toEqual(['invocations c'])
  })

  it('a second new end is listed at once in a window under 1,000 places; ends timed out count as ends', async () => {
    const {state, outcomes} = scripted()
    for (const _ of ids(60)) outcomes.sent('c', 0)
    state.summaries = [summary('c', {deliveryTimedOutCount: 2})]
    await outcomes.finished(['c'], () => ids(60))
    expect(state.calls).toEqual(['summaries', 'invocations c'])
  })

  it('what a listing showed counts as seen: one more end waits, one more look with nothing new lists nothing', async () => {
    const {state, outcomes} = scripted()
    for (const _ of ids(60)) outcomes.sent('c', 0)
    state.summaries = [summary('c', {completedCount: 5, errorCount: 1})]
    state.invocations = [...ended('c', 4), {commandId: 'c', instanceId: 'i-5', status: 'Failed', done: true, ok: false}]
    await outcomes.finished(['c'], () => ids(60))
    state.summaries = [summary('c', {completedCount: 6, errorCount: 1})]
    await outcomes.finished(['c'], () => ids(60).slice(5))
    // The failure's command listed again for what it printed.
    expect(state.calls).toEqual(['summaries', 'invocations c', 'invocations c with output', 'summaries'])
    // That end is then listed (it waited its look); then looks with no new end list nothing.
    state.invocations = ended('c', 6)
    await outcomes.finished(['c'], () => ids(60).slice(5))
    await outcomes.finished(['c'], () => ids(60).slice(6))
    await outcomes.finished(['c'], () => ids(60).slice(6))
    expect(state.calls.slice(4)).toEqual(['summaries', 'invocations c', 'summaries', 'summaries'])
  })

  it('a command ended everywhere but not Success is listed at once, even for a single new end', async () => {
    const {state, outcomes} = scripted()
    for (const _ of ids(60)) outcomes.sent('c', 0)
    state.summaries = [summary('c', {completedCount: 59})]
    state.invocations = ended('c', 59)
    await outcomes.finished(['c'], () => ids(60))
    state.summaries = [summary('c', {status: 'Cancelled', completedCount: 60})]
    state.invocations = ended('c', 60)
    const results = await outcomes.finished(['c'], () => ['i-60'])
    expect(state.calls).toEqual(['summaries', 'invocations c', 'summaries', 'invocations c'])
    expect([...results.keys()]).toEqual(['c:i-60'])
  })

  it('a single new end of a command whose targets SSM has not counted yet waits a look', async () => {
    const {state, outcomes} = scripted()
    for (const _ of ids(60)) outcomes.sent('c', 0)
    state.summaries = [summary('c', {targetCount: 0, completedCount: 1})]
    await outcomes.finished(['c'], () => ids(60))
    expect(state.calls).toEqual(['summaries'])
  })

  it('a command Success everywhere tells each waiting instance a success, unlisted', async () => {
    const {state, outcomes} = scripted()
    for (const _ of ids(60)) outcomes.sent('c', 0)
    state.summaries = [summary('c', {status: 'Success', completedCount: 60})]
    const results = await outcomes.finished(['c'], () => ['i-7'])
    expect([...results.values()]).toEqual([{commandId: 'c', instanceId: 'i-7', status: 'Success', done: true, ok: true}])
    expect(state.calls).toEqual(['summaries'])
    // Told once: the next look, the same counts tell nothing.
    expect((await outcomes.finished(['c'], () => ['i-7'])).size).toBe(0)
  })

  it('a Success its counts do not back (not every target counted, an error, no targets) is not taken for one', async () => {
    for (const counts of [{completedCount: 59}, {completedCount: 60, errorCount: 1}, {targetCount: 0, deliveryTimedOutCount: 1}]) {
      const {state, outcomes} = scripted()
      for (const _ of ids(60)) outcomes.sent('c', 0)
      state.summaries = [summary('c', {status: 'Success', ...counts})]
      const results = await outcomes.finished(['c'], () => ['i-7'])
      expect([...results.values()].filter((r) => r.status === 'Success'), JSON.stringify(counts)).toEqual([])
    }
  })

  it('a command listed while its counts ran ahead keeps the errors it counted: the same error does not list it again', async () => {
    const {state, outcomes} = scripted()
    for (const _ of ids(60)) outcomes.sent('c', 0)
    state.summaries = [summary('c', {completedCount: 1, errorCount: 1})]
    await outcomes.finished(['c'], () => ids(60))
    await outcomes.finished(['c'], () => ids(60))
    expect(state.calls).toEqual(['summaries', 'invocations c', 'summaries'])
  })
})
