import {createActor, fromPromise, toPromise} from 'xstate'
import {describe, expect, it} from 'vitest'
import {immutableMachine, type ImmutableInput} from '../../machines/immutable.js'
import {allPaths, stepEvents} from './graph.js'

const input: ImmutableInput = {
  releaseId: 'web-2',
  target: 'web',
  version: '2.0.0',
  kind: 'rollout',
  previous: {version: '1.0.0', stackName: 'release-web-1'},
  nonce: 'a1b2c3d4',
  gates: [],
}

const outputs = {
  plan: {newStack: {name: 'release-web-2', reused: false, group: null}, oldGroup: 'old-group'},
  provision: {group: 'new-group'},
  awaitCapacity: undefined,
  verify: undefined,
  shift: {bakeUntil: '2026-01-01T00:10:00.000Z'},
  bake: undefined,
  retire: {scaledDown: ['old-group'], kept: ['release-web-1'], deleted: [], warnings: []},
  revertTraffic: undefined,
  discard: undefined,
}

const FINAL = ['succeeded', 'rolledBack', 'failed']

describe('immutable machine graph', () => {
  const gateEvents = [{type: 'PROMOTE'}, {type: 'ABORT', reason: 'no'}]
  // Without gates, and with both: together they cover every state.
  const paths = [
    ...allPaths(immutableMachine, input, stepEvents(outputs)),
    ...allPaths(immutableMachine, {...input, gates: ['beforeShift', 'beforeRetire']}, [...stepEvents(outputs), ...gateEvents]),
  ]

  it('ends every path in a final state', () => {
    // getSimplePaths gives a path to every reachable state; the ones no other path extends are the ends.
    const ends = paths.filter((p) => !paths.some((q) => q.length > p.length && p.every((s, i) => q[i] === s)))
    expect(ends.length).toBeGreaterThan(5)
    for (const end of ends) expect(FINAL).toContain(end.at(-1))
    expect([...new Set(ends.map((p) => p.at(-1)))].sort()).toEqual([...FINAL].sort())
  })

  it('visits every state', () => {
    const visited = new Set(paths.flat())
    expect([...visited].sort()).toEqual(Object.keys(immutableMachine.root.states).sort())
  })

  it('never moves traffic back once it never moved: failures before the shift only discard', () => {
    let reverting = 0
    for (const path of paths) {
      const shiftAt = path.indexOf('shifting')
      const revertAt = path.indexOf('revertingTraffic')
      if (revertAt < 0) continue
      reverting += 1
      expect(shiftAt, path.join(' > ')).toBeGreaterThanOrEqual(0)
      expect(shiftAt, path.join(' > ')).toBeLessThan(revertAt)
    }
    // Not vacuous: failures in and after the shift do go back.
    expect(reverting).toBeGreaterThan(0)
    // And failures before it never do (the order of attach and detach is tested against the account
    // in test/strategies/immutable/traffic-order.test.ts).
    for (const path of paths.filter((p) => !p.includes('shifting'))) expect(path).not.toContain('revertingTraffic')
  })
})

/** Runs the machine with fake steps; `failAt` names the step whose actor rejects. */
async function runWith(failAt: string[]) {
  const actors = Object.fromEntries(
    Object.entries(outputs).map(([id, output]) => [
      id,
      fromPromise(async () => {
        if (failAt.includes(id)) throw new Error(`${id} failed`)
        return output
      }),
    ]),
  )
  const actor = createActor(immutableMachine.provide({actors}), {input})
  const visited: string[] = []
  actor.subscribe((s) => {
    if (visited.at(-1) !== s.value) visited.push(String(s.value))
  })
  actor.start()
  await toPromise(actor)
  const snapshot = actor.getSnapshot()
  return {state: String(snapshot.value), visited, context: snapshot.context}
}

describe('immutable machine with fake steps', () => {
  it('succeeds through every step in order', async () => {
    const run = await runWith([])
    expect(run.visited).toEqual([
      'planning', 'provisioning', 'awaitingCapacity', 'verifying', 'shifting', 'baking', 'retiring', 'succeeded',
    ])
    expect(run.context.bakeUntil).toBe(outputs.shift.bakeUntil)
  })

  it.each([
    ['plan', 'failed', []],
    ['provision', 'rolledBack', ['discarding']],
    ['awaitCapacity', 'rolledBack', ['discarding']],
    ['verify', 'rolledBack', ['discarding']],
    ['shift', 'rolledBack', ['revertingTraffic', 'discarding']],
    ['bake', 'rolledBack', ['revertingTraffic', 'discarding']],
  ])('a failure in %s ends %s', async (step, final, through) => {
    const run = await runWith([step])
    expect(run.state).toBe(final)
    for (const state of through) expect(run.visited).toContain(state)
    expect(run.context.failure?.message).toBe(`${step} failed`)
  })

  it('a failed retire still ends succeeded, with a warning', async () => {
    const run = await runWith(['retire'])
    expect(run.state).toBe('succeeded')
    expect(run.context.retired?.warnings).toEqual(['retire failed'])
  })

  it.each([
    [['bake', 'revertTraffic'], 'revertingTraffic'],
    [['verify', 'discard'], 'discarding'],
    [['bake', 'discard'], 'discarding'],
  ])('a failure of the way back (%s) ends failed at %s', async (steps, at) => {
    const run = await runWith(steps)
    expect(run.state).toBe('failed')
    expect(run.context.rollbackFailure?.step).toBe(at)
  })

  it('a machine without bound steps fails loudly instead of pretending', async () => {
    const actor = createActor(immutableMachine, {input}).start()
    await toPromise(actor).catch(() => undefined)
    expect(actor.getSnapshot().value).toBe('failed')
    expect(actor.getSnapshot().context.failure?.message).toMatch(/no implementation/)
  })
})
