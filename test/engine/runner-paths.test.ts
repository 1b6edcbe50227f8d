/**
 * The paths of the persisted runner (src/engine/runner.ts) that a plain run does not take: a gate that
 * pauses the run and a later process that promotes it, a run stopped from outside (its lease lost), and
 * snapshots that cannot be resumed (absent, damaged, of another machine).
 */
import {describe, expect, it} from 'vitest'
import {assign, fromPromise, setup} from 'xstate'
import {Journal} from '../../src/engine/journal.js'
import {loadResumableSnapshot, loadSnapshot, runPersisted, type RunOptions} from '../../src/engine/runner.js'
import {UserError} from '../../src/errors.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'
import {tempDir} from '../fakes/temp.js'

/** working -> waiting (a gate) -> PROMOTE -> finishing -> done; ABORT at the gate -> aborted. */
const gated = setup({
  types: {context: {} as {step: number; note?: string}},
  actors: {
    work: fromPromise<number, {step: number}>(async ({input}) => input.step + 1),
  },
}).createMachine({
  id: 'gated',
  initial: 'working',
  context: {step: 0},
  states: {
    working: {
      invoke: {src: 'work', input: ({context}) => ({step: context.step}), onDone: {target: 'waiting', actions: assign({step: ({event}) => event.output})}},
    },
    waiting: {on: {PROMOTE: 'finishing', ABORT: 'aborted'}},
    finishing: {
      invoke: {src: 'work', input: ({context}) => ({step: context.step}), onDone: {target: 'done', actions: assign({step: ({event}) => event.output})}},
    },
    done: {type: 'final'},
    aborted: {type: 'final'},
  },
})

function open() {
  const store = new FileStateStore(tempDir('release-runner-paths-'))
  const clock = new VirtualClock()
  const now = () => clock.now()
  const base = (releaseId: string): RunOptions<typeof gated> => ({machine: gated, releaseId, store, machineVersion: '1', now})
  const states = async (releaseId: string) => (await new Journal(store, now).read(releaseId)).map((e) => (e.type === 'transition' ? e.state : `${e.type}: ${e.message}`))
  return {store, now, base, states}
}

describe('a run at a gate', () => {
  it('pauses once the gate is persisted, and a later run promoted there goes on from it', async () => {
    const {store, base, states} = open()
    const paused = await runPersisted({...base('web-1'), pauseAt: (state) => state === 'waiting'})
    expect(paused).toEqual({state: 'waiting', context: {step: 1}, status: 'paused'})
    const saved = await loadSnapshot(store, 'web-1')
    expect(saved).toMatchObject({machineId: 'gated', machineVersion: '1', snapshot: {value: 'waiting', context: {step: 1}}})
    expect(await states('web-1')).toEqual(['working', 'waiting'])

    const snapshot = await loadResumableSnapshot(store, 'web-1', gated, '1')
    const promoted = await runPersisted({...base('web-1'), snapshot, send: {type: 'PROMOTE'}, pauseAt: (state) => state === 'waiting'})
    expect(promoted).toEqual({state: 'done', context: {step: 2}, status: 'done'})
    expect(await states('web-1')).toEqual(['working', 'waiting', 'note: resumed in waiting', 'finishing', 'done'])
    expect((await loadSnapshot(store, 'web-1'))!.snapshot).toMatchObject({value: 'done', status: 'done'})
  })
})

describe('a run stopped from outside', () => {
  it('rejects with the reason and writes nothing when the signal is already aborted', async () => {
    const {store, base} = open()
    const controller = new AbortController()
    const lost = new Error('lease lost')
    controller.abort(lost)
    await expect(runPersisted({...base('web-4'), signal: controller.signal})).rejects.toBe(lost)
    expect(await loadSnapshot(store, 'web-4')).toBeUndefined()
  })

  it('stops at once when the signal fires, keeping the last snapshot for a resume', async () => {
    const {store, base, states} = open()
    const controller = new AbortController()
    const lost = new Error('lease lost')
    // A machine that waits at the gate forever: the signal is what ends it.
    const run = runPersisted({...base('web-5'), signal: controller.signal, onTransition: (state) => {
      if (state === 'waiting') controller.abort(lost)
    }})
    await expect(run).rejects.toBe(lost)
    expect((await loadSnapshot(store, 'web-5'))!.snapshot).toMatchObject({value: 'waiting'})
    expect(await states('web-5')).toEqual(['working', 'waiting'])
  })
})

describe('snapshots that cannot be resumed', () => {
  it('says a release has none, naming the store', async () => {
    const {store} = open()
    const error = (await loadResumableSnapshot(store, 'web-9', gated, '1').catch((e: unknown) => e)) as UserError
    expect(error).toBeInstanceOf(UserError)
    expect(error.code).toBe('E_NO_SNAPSHOT')
    expect(error.message).toBe(`release web-9 has no persisted state in ${store.location}`)
    expect(await loadSnapshot(store, 'web-9')).toBeUndefined()
  })

  it('refuses one of another machine or version, saying both', async () => {
    const {store, base} = open()
    await runPersisted({...base('web-6'), pauseAt: (state) => state === 'waiting'})
    for (const [machine, version] of [[{id: 'other'}, '1'], [gated, '2']] as const) {
      const error = (await loadResumableSnapshot(store, 'web-6', machine, version).catch((e: unknown) => e)) as UserError
      expect(error.code).toBe('E_MACHINE_VERSION')
      expect(error.exitCode).toBe(2)
      expect(error.message).toBe(`release web-6 was saved by machine gated version 1; this release tool runs ${machine.id} version ${version}`)
    }
    expect(await loadResumableSnapshot(store, 'web-6', gated, '1')).toMatchObject({value: 'waiting'})
  })

  it('refuses a damaged one as corrupt state, never resuming from it', async () => {
    const {store} = open()
    const key = 'releases/web-7/snapshot.json'
    const cases: [string, RegExp][] = [
      ['{', /the snapshot is not valid JSON/],
      ['null', /the snapshot lacks machineId, machineVersion or snapshot/],
      ['[]', /the snapshot lacks machineId, machineVersion or snapshot/],
      ['{"machineVersion":"1","snapshot":{}}', /lacks machineId/],
      ['{"machineId":"gated","snapshot":{}}', /lacks machineId, machineVersion/],
      ['{"machineId":"gated","machineVersion":"1"}', /lacks machineId, machineVersion or snapshot/],
      ['{"machineId":"gated","machineVersion":"1","snapshot":null}', /lacks machineId, machineVersion or snapshot/],
      ['{"machineId":"gated","machineVersion":"1","snapshot":"x"}', /lacks machineId, machineVersion or snapshot/],
    ]
    for (const [text, problem] of cases) {
      await store.writeAtomic(key, text)
      const error = (await loadSnapshot(store, 'web-7').catch((e: unknown) => e)) as UserError
      expect(error.code, text).toBe('E_STATE_CORRUPT')
      expect(error.message, text).toMatch(problem)
      expect(error.message).toContain(`${store.location}/${key}`)
    }
    await store.writeAtomic(key, '{"machineId":"gated","machineVersion":"1","snapshot":{"value":"waiting"}}')
    expect(await loadSnapshot(store, 'web-7')).toEqual({machineId: 'gated', machineVersion: '1', savedAt: '', snapshot: {value: 'waiting'}})
  })

  it('reports a release id that cannot be a key as a rejection, not a throw', async () => {
    const {base} = open()
    let run: Promise<unknown> | undefined
    expect(() => (run = runPersisted({...base('../x')}))).not.toThrow()
    await expect(run).rejects.toMatchObject({code: 'E_UNKNOWN_RELEASE'})
  })
})

describe('a run that cannot go on', () => {
  /** A machine whose one step ends as `outcome` says, with no onError: a failure is the machine's. */
  function machineThat(outcome: () => Promise<unknown>) {
    return setup({
      types: {context: {}},
      actors: {step: fromPromise(outcome)},
    }).createMachine({
      id: 'one',
      initial: 'stepping',
      context: {},
      states: {
        stepping: {invoke: {src: 'step', onDone: {target: 'stepped', actions: assign({value: ({event}) => event.output})}}},
        stepped: {type: 'final'},
      },
    })
  }

  it('journals what a step threw that is not an Error, as JSON or as text', async () => {
    const {store, now} = open()
    const circular: Record<string, unknown> = {}
    circular.self = circular
    for (const [releaseId, thrown, said] of [
      ['web-10', {code: 'Throttled'}, 'machine failed: {"code":"Throttled"}'],
      ['web-11', 'gone', 'machine failed: "gone"'],
      ['web-12', circular, 'machine failed: [object Object]'],
    ] as const) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a step rejecting with a non-Error is the case under test
      const result = await runPersisted({machine: machineThat(() => Promise.reject(thrown)), releaseId, store, machineVersion: '1', now})
      expect(result).toMatchObject({status: 'error', state: 'stepping', error: thrown})
      const journal = await new Journal(store, now).read(releaseId)
      expect(journal.at(-1)).toMatchObject({type: 'note', state: 'stepping', message: said})
    }
  })

  it('rejects, and saves nothing past it, when a context cannot be saved', async () => {
    const {store, now} = open()
    const run = runPersisted({machine: machineThat(async () => 10n), releaseId: 'web-13', store, machineVersion: '1', now})
    // Not rejects.toThrow: it passes for a promise rejected with undefined.
    await expect(run).rejects.toBeInstanceOf(TypeError)
    await expect(run).rejects.toMatchObject({message: expect.stringMatching(/BigInt/) as unknown})
    expect((await loadSnapshot(store, 'web-13'))?.snapshot).not.toMatchObject({value: 'stepped'})
  })

  it('writes each snapshot as a text file: indented JSON ending with a newline', async () => {
    const {store, base} = open()
    await runPersisted({...base('web-14'), pauseAt: (state) => state === 'waiting'})
    const text = (await store.read('releases/web-14/snapshot.json'))!
    expect(text.endsWith('}\n')).toBe(true)
    expect(text.split('\n')[1]).toMatch(/^ {2}"machineId": "gated",$/)
  })
})

