import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {assign, fromPromise, setup} from 'xstate'
import {Journal, sharedJournal} from '../../src/engine/journal.js'
import {loadResumableSnapshot, loadSnapshot, runPersisted, stateName} from '../../src/engine/runner.js'
import {UserError} from '../../src/errors.js'
import type {StateStore} from '../../src/ports/store.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'

interface Ctx {
  version: string
  stackId?: string
  attached?: boolean
}

/** A tiny release: planning -> provisioning -> shifting -> succeeded, or rolledBack when a step fails. */
const machine = setup({
  types: {context: {} as Ctx, input: {} as {version: string}},
  actors: {
    provision: fromPromise<string, {version: string}>(async () => {
      throw new Error('provision is bound by the test')
    }),
    shift: fromPromise<boolean, {stackId: string}>(async () => {
      throw new Error('shift is bound by the test')
    }),
  },
}).createMachine({
  id: 'tiny',
  initial: 'planning',
  context: ({input}) => ({version: input.version}),
  states: {
    planning: {always: 'provisioning'},
    provisioning: {
      invoke: {
        src: 'provision',
        input: ({context}) => ({version: context.version}),
        onDone: {target: 'shifting', actions: assign({stackId: ({event}) => event.output})},
        onError: 'rolledBack',
      },
    },
    shifting: {
      invoke: {
        src: 'shift',
        input: ({context}) => ({stackId: context.stackId!}),
        onDone: {target: 'succeeded', actions: assign({attached: ({event}) => event.output})},
      },
    },
    succeeded: {type: 'final'},
    rolledBack: {type: 'final'},
  },
})

let dir: string
let store: FileStateStore
const clock = new VirtualClock()
const now = () => clock.now()

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-runner-'))
  store = new FileStateStore(dir)
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return {promise, resolve}
}

describe('runPersisted', () => {
  it('writes what a step deferred to the journal before the snapshot past that step', async () => {
    // The step's records ride with the next journal write; a crash right after the snapshot must not lose them.
    const order: string[] = []
    const watched = Object.create(store) as FileStateStore
    watched.append = (key, lines, fence) => {
      order.push(`append ${[lines].flat().map((line) => JSON.parse(line).type).join('+')}`)
      return store.append(key, lines, fence)
    }
    watched.writeAtomic = (key, data, fence) => {
      order.push(`snapshot ${JSON.parse(data).snapshot.value}`)
      return store.writeAtomic(key, data, fence)
    }
    const bound = machine.provide({
      actors: {
        provision: fromPromise(async () => {
          // Once the step's own transition is written: what a poll of a step records.
          await provisioning.promise
          await sharedJournal(watched, now).defer({releaseId: 'web-1', type: 'instance', data: {records: []}})
          return 'stack-1'
        }),
        shift: fromPromise(async () => true),
      },
    })
    const provisioning = deferred<void>()
    const onTransition = async (state: string) => {
      if (state === 'provisioning') provisioning.resolve()
    }
    await runPersisted({machine: bound, releaseId: 'web-1', store: watched, input: {version: '1'}, machineVersion: '1', now, onTransition})
    expect(order).toEqual(['snapshot provisioning', 'append transition', 'append instance', 'snapshot shifting', 'append transition', 'snapshot succeeded', 'append transition'])
  })

  it('persists a snapshot and journals each transition, in order, before resolving', async () => {
    const bound = machine.provide({
      actors: {
        provision: fromPromise(async ({input}: {input: {version: string}}) => `stack-${input.version}`),
        shift: fromPromise(async () => true),
      },
    })
    const seen: {state: string; persisted: string; context: Ctx}[] = []
    const result = await runPersisted({
      machine: bound,
      releaseId: 'web-1',
      store,
      input: {version: '1.2.3'},
      machineVersion: '1',
      now,
      async onTransition(state, context) {
        // what is on disk when onTransition runs is the snapshot of this very transition
        const saved = await loadSnapshot(store, 'web-1')
        seen.push({state, persisted: stateName((saved!.snapshot as {value: string}).value), context})
        await clock.sleep(10)
      },
    })

    expect(result).toEqual({state: 'succeeded', context: {version: '1.2.3', stackId: 'stack-1.2.3', attached: true}, status: 'done'})
    expect(seen.map((s) => s.state)).toEqual(['provisioning', 'shifting', 'succeeded'])
    expect(seen.every((s) => s.persisted === s.state)).toBe(true)
    expect(seen[1]!.context.stackId).toBe('stack-1.2.3')

    const saved = await loadSnapshot(store, 'web-1')
    expect(saved).toMatchObject({machineId: 'tiny', machineVersion: '1'})
    expect(saved!.snapshot).toMatchObject({value: 'succeeded', status: 'done'})

    const journal = await new Journal(store, now).read('web-1')
    expect(journal.map((e) => [e.type, e.state, e.event])).toEqual([
      ['transition', 'provisioning', 'xstate.init'],
      ['transition', 'shifting', 'xstate.done.actor.0.tiny.provisioning'],
      ['transition', 'succeeded', 'xstate.done.actor.0.tiny.shifting'],
    ])
    expect(journal.every((e) => e.releaseId === 'web-1')).toBe(true)
  })

  it('resumes from a persisted snapshot mid-way, re-running the in-flight actor', async () => {
    let provisions = 0
    const stuck = deferred<boolean>()
    const reachedShifting = deferred<void>()
    const first = machine.provide({
      actors: {
        provision: fromPromise(async () => {
          provisions++
          return 'stack-a'
        }),
        // the process "dies" while shifting: this never settles
        shift: fromPromise(() => stuck.promise),
      },
    })
    // the first process never finishes: its in-flight step stays unsettled
    void runPersisted({
      machine: first,
      releaseId: 'web-2',
      store,
      input: {version: '2.0.0'},
      machineVersion: '1',
      now,
      onTransition: (state) => {
        if (state === 'shifting') reachedShifting.resolve()
      },
    })
    await reachedShifting.promise

    // a new process: the same machine logic, bound afresh
    const shifted: {stackId: string}[] = []
    const second = machine.provide({
      actors: {
        provision: fromPromise(async () => {
          provisions++
          return 'stack-b'
        }),
        shift: fromPromise(async ({input}: {input: {stackId: string}}) => {
          shifted.push(input)
          return true
        }),
      },
    })
    const snapshot = await loadResumableSnapshot(store, 'web-2', second, '1')
    const states: string[] = []
    const result = await runPersisted({
      machine: second,
      releaseId: 'web-2',
      store,
      snapshot,
      machineVersion: '1',
      now,
      onTransition: (state) => {
        states.push(state)
      },
    })

    expect(result.status).toBe('done')
    expect(result.state).toBe('succeeded')
    expect(result.context).toEqual({version: '2.0.0', stackId: 'stack-a', attached: true})
    expect(shifted).toEqual([{stackId: 'stack-a'}])
    expect(provisions).toBe(1)
    expect(states).toEqual(['succeeded'])

    const journal = await new Journal(store, now).read('web-2')
    expect(journal.map((e) => `${e.type}:${e.state}`)).toEqual([
      'transition:provisioning',
      'transition:shifting',
      'note:shifting',
      'transition:succeeded',
    ])
    expect(journal[2]!.message).toBe('resumed in shifting')
  })

  it('refuses a snapshot saved by another machine version', async () => {
    const bound = machine.provide({
      actors: {provision: fromPromise(async () => 's'), shift: fromPromise(async () => true)},
    })
    await runPersisted({machine: bound, releaseId: 'web-3', store, input: {version: '1'}, machineVersion: '1', now})
    const error = await loadResumableSnapshot(store, 'web-3', bound, '2').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).code).toBe('E_MACHINE_VERSION')
    expect(((await loadResumableSnapshot(store, 'nope-1', bound, '1').catch((e: unknown) => e)) as UserError).code).toBe('E_NO_SNAPSHOT')
  })

  it('follows onError to a final state, and reports an unhandled failure as status error', async () => {
    const failingProvision = machine.provide({
      actors: {
        provision: fromPromise(async (): Promise<string> => {
          throw new Error('CREATE_FAILED')
        }),
        shift: fromPromise(async () => true),
      },
    })
    const rolledBack = await runPersisted({machine: failingProvision, releaseId: 'web-4', store, input: {version: '1'}, machineVersion: '1', now})
    expect(rolledBack).toMatchObject({state: 'rolledBack', status: 'done'})

    const failingShift = machine.provide({
      actors: {
        provision: fromPromise(async () => 'stack'),
        shift: fromPromise(async (): Promise<boolean> => {
          throw new Error('attach refused')
        }),
      },
    })
    const failed = await runPersisted({machine: failingShift, releaseId: 'web-5', store, input: {version: '1'}, machineVersion: '1', now})
    expect(failed.status).toBe('error')
    expect(failed.state).toBe('shifting')
    expect((failed.error as Error).message).toBe('attach refused')
    const journal = await new Journal(store, now).read('web-5')
    expect(journal.at(-1)).toMatchObject({type: 'note', state: 'shifting', message: 'machine failed: attach refused'})
    // the last good snapshot stays, so the release can be resumed
    expect((await loadSnapshot(store, 'web-5'))!.snapshot).toMatchObject({value: 'shifting'})
  })

  it('rejects and stops when the snapshot cannot be written', async () => {
    const bound = machine.provide({
      actors: {
        provision: fromPromise(async () => 'stack'),
        shift: fromPromise(async () => true),
      },
    })
    const failing: StateStore = Object.create(store, {
      writeAtomic: {
        value: async (key: string, data: string) => {
          if (data.includes('"shifting"')) throw new Error('disk full')
          return store.writeAtomic(key, data)
        },
      },
    })
    await expect(
      runPersisted({machine: bound, releaseId: 'web-6', store: failing, input: {version: '1'}, machineVersion: '1', now}),
    ).rejects.toEqual(new Error('disk full'))
    expect((await loadSnapshot(store, 'web-6'))!.snapshot).toMatchObject({value: 'provisioning'})
    const journal = await new Journal(store, now).read('web-6')
    expect(journal.map((e) => e.state)).toEqual(['provisioning'])
  })

  it('rejects when onTransition throws', async () => {
    const bound = machine.provide({
      actors: {provision: fromPromise(async () => 'stack'), shift: fromPromise(async () => true)},
    })
    await expect(
      runPersisted({
        machine: bound,
        releaseId: 'web-7',
        store,
        input: {version: '1'},
        machineVersion: '1',
        now,
        onTransition: (state) => {
          if (state === 'shifting') throw new Error('ledger unavailable')
        },
      }),
    ).rejects.toEqual(new Error('ledger unavailable'))
  })

  it('persists context that changes within a state, so a resume does not repeat finished windows', async () => {
    const windows = setup({
      types: {context: {} as {window: number; done: number[]}},
      actors: {apply: fromPromise<number, {window: number}>(async () => 0)},
    }).createMachine({
      id: 'windows',
      initial: 'rolling',
      context: {window: 0, done: []},
      states: {
        rolling: {
          invoke: {
            src: 'apply',
            input: ({context}) => ({window: context.window}),
            onDone: [
              {guard: ({context}) => context.window === 3, target: 'succeeded', actions: assign({done: ({context, event}) => [...context.done, event.output]})},
              {target: 'rolling', reenter: true, actions: assign({window: ({context}) => context.window + 1, done: ({context, event}) => [...context.done, event.output]})},
            ],
          },
        },
        succeeded: {type: 'final'},
      },
    })
    const applied: number[] = []
    const stuck = deferred<number>()
    const window2Saved = deferred<void>()
    // resolves once the snapshot of window 2 in flight is on disk
    const watching: StateStore = Object.create(store, {
      writeAtomic: {
        value: async (key: string, data: string) => {
          await store.writeAtomic(key, data)
          if (data.includes('"window": 2')) window2Saved.resolve()
        },
      },
    })
    // the first process never finishes: its in-flight step stays unsettled
    void runPersisted({
      machine: windows.provide({
        actors: {
          apply: fromPromise(async ({input}: {input: {window: number}}) => {
            applied.push(input.window)
            return input.window < 2 ? input.window : stuck.promise
          }),
        },
      }),
      releaseId: 'api-1',
      store: watching,
      machineVersion: '1',
      now,
    })
    await window2Saved.promise

    const result = await runPersisted({
      machine: windows.provide({
        actors: {
          apply: fromPromise(async ({input}: {input: {window: number}}) => {
            applied.push(input.window)
            return input.window
          }),
        },
      }),
      releaseId: 'api-1',
      store,
      snapshot: await loadResumableSnapshot(store, 'api-1', windows, '1'),
      machineVersion: '1',
      now,
    })
    expect(result).toMatchObject({status: 'done', state: 'succeeded', context: {window: 3, done: [0, 1, 2, 3]}})
    expect(applied).toEqual([0, 1, 2, 2, 3])
    // re-entering the same state is not a transition for the journal
    const journal = await new Journal(store, now).read('api-1')
    expect(journal.map((e) => `${e.type}:${e.state}`)).toEqual(['transition:rolling', 'note:rolling', 'transition:succeeded'])
  })

  it('names nested and parallel states with dots', () => {
    expect(stateName('a')).toBe('a')
    expect(stateName({rolling: 'window'})).toBe('rolling.window')
    expect(stateName({rolling: {window: 'verify'}})).toBe('rolling.window.verify')
    expect(stateName({a: 'x', b: 'y'})).toBe('a.x,b.y')
  })
})
