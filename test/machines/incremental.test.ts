import {createActor, fromPromise, toPromise} from 'xstate'
import {describe, expect, it} from 'vitest'
import {incrementalMachine, type IncrementalInput} from '../../machines/incremental.js'
import {allPaths, stepEvents} from './graph.js'

const input: IncrementalInput = {releaseId: 'api-2', target: 'api', version: '2.0.0', kind: 'rollout', previousVersion: '1.0.0', gates: []}
const plan = {fleetSize: 12, window: 3, maxErrors: 0, canary: 1}
const rolled = {tally: {changed: 12, failed: 0}, bakeUntil: '2026-01-01T00:10:00.000Z'}
const FINAL = ['succeeded', 'rolledBack', 'failed']

describe('incremental machine graph', () => {
  const events = [
    ...stepEvents({plan, canary: rolled, rolling: rolled, bake: undefined, restore: {restored: 3, stranded: []}}),
    {type: 'xstate.done.actor.plan', output: {...plan, canary: 0}},
    {type: 'xstate.done.actor.restore', output: {restored: 2, stranded: [{instanceId: 'i-1', version: null, reason: 'x'}]}},
  ]
  const paths = [
    ...allPaths(incrementalMachine, input, events),
    ...allPaths(incrementalMachine, {...input, gates: ['afterCanary']}, [...events, {type: 'PROMOTE'}, {type: 'ABORT', reason: 'no'} as never]),
  ]
  const ends = paths.filter((p) => !paths.some((q) => q.length > p.length && p.every((s, i) => q[i] === s)))

  it('ends every path in a final state, and reaches each of them', () => {
    for (const end of ends) expect(FINAL).toContain(end.at(-1))
    expect([...new Set(ends.map((p) => p.at(-1)))].sort()).toEqual([...FINAL].sort())
  })

  it('visits every state', () => {
    expect([...new Set(paths.flat())].sort()).toEqual(Object.keys(incrementalMachine.root.states).sort())
  })

  it('skips the canary when the plan has none', () => {
    expect(paths.some((p) => p.join(' ') === 'planning rolling')).toBe(true)
  })
})

async function runWith(options: {failAt?: string[]; canary?: number; stranded?: boolean}) {
  const fail = (id: string) => options.failAt?.includes(id)
  const step = <T>(id: string, output: T) =>
    fromPromise(async ({input}: {input: {scope?: string}}) => {
      if (fail(input.scope === 'canary' ? 'canary' : id === 'roll' ? 'rolling' : id)) throw new Error(`${id} failed`)
      return output
    })
  const actors = {
    plan: step('plan', {...plan, canary: options.canary ?? 1}),
    roll: step('roll', rolled),
    bake: step('bake', undefined),
    restore: step('restore', {restored: 3, stranded: options.stranded ? [{instanceId: 'i-9', version: null, reason: 'Failed'}] : []}),
  }
  const actor = createActor(incrementalMachine.provide({actors} as never), {input})
  const visited: string[] = []
  actor.subscribe((s) => {
    if (visited.at(-1) !== s.value) visited.push(String(s.value))
  })
  actor.start()
  await toPromise(actor)
  return {visited, context: actor.getSnapshot().context}
}

describe('incremental machine with fake steps', () => {
  it('runs canary, rolling and bake in order', async () => {
    const run = await runWith({})
    expect(run.visited).toEqual(['planning', 'canary', 'rolling', 'baking', 'succeeded'])
    expect(run.context.bakeUntil).toBe(rolled.bakeUntil)
  })

  it.each([
    ['canary', 'rolledBack'],
    ['rolling', 'rolledBack'],
    ['bake', 'rolledBack'],
    ['plan', 'failed'],
  ])('a failure in %s ends %s', async (failAt, final) => {
    const run = await runWith({failAt: [failAt]})
    expect(run.visited.at(-1)).toBe(final)
    if (final === 'rolledBack') expect(run.visited).toContain('rollingBack')
  })

  it('ends failed, naming the stranded instances, when the way back cannot restore them all', async () => {
    const run = await runWith({failAt: ['rolling'], stranded: true})
    expect(run.visited.at(-1)).toBe('failed')
    expect(run.context.restore?.stranded).toEqual([{instanceId: 'i-9', version: null, reason: 'Failed'}])
  })

  it('ends failed when the restore step itself errors', async () => {
    const run = await runWith({failAt: ['rolling', 'restore']})
    expect(run.visited.at(-1)).toBe('failed')
    expect(run.context.rollbackFailure?.step).toBe('rollingBack')
  })
})
