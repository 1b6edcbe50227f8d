import {createActor, type Actor, type AnyStateMachine, type InspectionEvent, type Snapshot, type StateValue} from 'xstate'
import {UserError} from '../errors.js'
import type {StateStore} from '../ports/store.js'
import {sharedJournal} from './journal.js'
import {corruptState, iso, keys, parseStateJson} from './keys.js'

export interface RunOptions<TMachine> {
  machine: TMachine
  releaseId: string
  store: StateStore
  /** The machine's input, for a fresh run (ignored when resuming). */
  input?: unknown
  /** A persisted snapshot (from loadSnapshot) to resume from; its in-flight actor runs again. */
  snapshot?: unknown
  /** Stored beside each snapshot, so that a resume can refuse a snapshot of another machine version. */
  machineVersion: string
  now: () => number
  /** Called after each transition has been persisted and journaled, one at a time, in order. */
  onTransition?: (state: string, context: any) => void | Promise<void>
  /**
   * States where the release waits for a person (a gate): once one is reached and persisted, the
   * run stops and resolves `paused`; a later process continues it with `send`.
   */
  pauseAt?: (state: string) => boolean
  /** An event sent once the actor has started (e.g. PROMOTE to a release restored at its gate). */
  send?: {type: string; [key: string]: unknown}
  /**
   * Stops the run from outside (the lease was lost): the actor is stopped, nothing more is written,
   * and the run rejects with the signal's reason.
   */
  signal?: AbortSignal
}

export interface RunResult {
  /** The last state persisted (dotted when nested). */
  state: string
  context: any
  status: 'done' | 'error' | 'paused'
  error?: unknown
}

export interface PersistedRun {
  machineId: string
  machineVersion: string
  savedAt: string
  snapshot: unknown
}

/**
 * Runs a machine as a persisted, resumable actor. After every change of state it writes
 * `releases/<id>/snapshot.json` atomically, appends a transition to the journal and calls
 * onTransition, strictly in order; a change of context alone rewrites the snapshot only. Resolves once the machine is done (status 'done') or has failed
 * (status 'error'), and only after the last write; rejects when persisting fails or onTransition
 * throws (the machine is stopped, the last persisted snapshot stays for a resume).
 */
export function runPersisted<T extends AnyStateMachine>(options: RunOptions<T>): Promise<RunResult> {
  try {
    return run(options)
  } catch (error) {
    // A bad release id or a snapshot that does not fit: reported like any other failure, as a rejection.
    return Promise.reject(error)
  }
}

function run(options: RunOptions<AnyStateMachine>): Promise<RunResult> {
  const {releaseId, store, machineVersion, now, onTransition} = options
  const machine = options.machine
  const journal = sharedJournal(store, now)
  const snapshotKey = keys.snapshot(releaseId)
  const resuming = options.snapshot !== undefined

  let lastState: string | undefined
  let lastContext: unknown
  let lastEvent = 'xstate.init'
  let queue: Promise<void> = Promise.resolve()
  let failure: {error: unknown} | undefined

  let root: unknown
  const inspect = (event: InspectionEvent) => {
    // A microstep carries the event that moved the root machine; it precedes the snapshot it yields.
    if (event.type === '@xstate.microstep' && event.actorRef === root) lastEvent = event.event.type
  }

  let actor: Actor<AnyStateMachine>
  try {
    actor = resuming
      ? createActor(machine, {snapshot: options.snapshot as Snapshot<unknown>, inspect})
      : createActor(machine, {input: options.input, inspect})
  } catch (error) {
    throw new UserError(
      'E_SNAPSHOT',
      `the persisted snapshot of release ${releaseId} does not fit machine ${machine.id} version ${machineVersion}: ${(error as Error).message}`,
      `Finish or abandon release ${releaseId} with the version of release that started it.`,
      2,
    )
  }
  root = actor
  if (resuming) {
    lastState = stateName(actor.getSnapshot().value)
    lastContext = actor.getSnapshot().context
  }

  const enqueue = (work: () => Promise<void>) => {
    queue = queue.then(async () => {
      if (failure) return
      try {
        await work()
      } catch (error) {
        failure = {error}
        // Stop rather than run on without a record of where we are.
        actor.stop()
      }
    })
  }

  if (resuming) {
    const state = lastState
    enqueue(async () => {
      await journal.append({releaseId, type: 'note', state, message: `resumed in ${state}`})
    })
  }

  return new Promise<RunResult>((resolve, reject) => {
    let settled = false
    const settle = (result: () => RunResult) => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', stopFromOutside)
      void queue.then(() => (failure ? reject(failure.error) : resolve(result())))
    }

    actor.subscribe({
      next(snapshot) {
        // Observers must not throw: xstate would report it as an unhandled error.
        try {
          const state = stateName(snapshot.value)
          const moved = state !== lastState
          // Context changed in place (e.g. the next window of a re-entered state): persist it too, so
          // a resume does not repeat finished work, but it is no transition for the journal.
          if (!moved && snapshot.context === lastContext) return
          lastState = state
          lastContext = snapshot.context
          const event = lastEvent
          const context: unknown = snapshot.context
          const envelope: PersistedRun = {
            machineId: machine.id,
            machineVersion,
            savedAt: iso(now()),
            snapshot: actor.getPersistedSnapshot(),
          }
          // Serialized now: what is written is the snapshot of this transition, whatever comes next.
          const text = JSON.stringify(envelope, null, 2) + '\n'
          enqueue(async () => {
            // What the journal deferred goes first: a snapshot past a step never outruns its records.
            await journal.flush(releaseId)
            await store.writeAtomic(snapshotKey, text)
            if (!moved) return
            await journal.append({releaseId, type: 'transition', state, event})
            await onTransition?.(state, context)
          })
          if (moved && options.pauseAt?.(state)) {
            settle(() => ({state, context, status: 'paused'}))
            enqueue(async () => {
              actor.stop()
            })
          }
        } catch (error) {
          failure ??= {error}
          queueMicrotask(() => actor.stop())
        }
      },
      error(error) {
        const state = lastState ?? stateName(actor.getSnapshot().value)
        enqueue(async () => {
          await journal.append({releaseId, type: 'note', state, message: `machine failed: ${describeError(error)}`})
        })
        settle(() => ({state, context: actor.getSnapshot().context, status: 'error', error}))
      },
      complete() {
        const snapshot = actor.getSnapshot()
        const state = lastState ?? stateName(snapshot.value)
        if (snapshot.status === 'done') {
          settle(() => ({state, context: snapshot.context, status: 'done'}))
        } else {
          // Stopped by us after a failed write; settle rejects with that failure.
          failure ??= {error: new Error(`release ${releaseId}: the machine stopped in ${state}`)}
          settle(() => ({state, context: snapshot.context, status: 'error', error: failure?.error}))
        }
      },
    })
    const stopFromOutside = () => {
      failure ??= {error: options.signal?.reason}
      actor.stop()
      settle(() => ({state: lastState ?? '', context: lastContext, status: 'error', error: failure?.error}))
    }
    if (options.signal?.aborted) {
      stopFromOutside()
      return
    }
    options.signal?.addEventListener('abort', stopFromOutside, {once: true})
    actor.start()
    if (options.send) actor.send(options.send)
  })
}

/** The snapshot persisted for a release, to resume it; undefined when it has none. */
export async function loadSnapshot(store: StateStore, releaseId: string): Promise<PersistedRun | undefined> {
  const key = keys.snapshot(releaseId)
  const text = await store.read(key)
  if (text === undefined) return undefined
  const value = parseStateJson(store, key, text, 'the snapshot')
  const run = value as Partial<PersistedRun> | null
  if (
    typeof run !== 'object' ||
    run === null ||
    typeof run.machineId !== 'string' ||
    typeof run.machineVersion !== 'string' ||
    typeof run.snapshot !== 'object' ||
    run.snapshot === null
  ) {
    throw corruptState(store, key, 'the snapshot lacks machineId, machineVersion or snapshot')
  }
  return {machineId: run.machineId, machineVersion: run.machineVersion, savedAt: String(run.savedAt ?? ''), snapshot: run.snapshot}
}

/**
 * The persisted snapshot of a release if it was saved by this machine and version; a UserError
 * otherwise, because restoring a snapshot into different machine logic would resume in the wrong place.
 */
export async function loadResumableSnapshot(
  store: StateStore,
  releaseId: string,
  machine: {id: string},
  machineVersion: string,
): Promise<unknown> {
  const run = await loadSnapshot(store, releaseId)
  if (!run) {
    throw new UserError(
      'E_NO_SNAPSHOT',
      `release ${releaseId} has no persisted state in ${store.location}`,
      'Check the release id (release history <target>) and that state: in release.yml (or --state-dir) names the store the release ran in.',
    )
  }
  if (run.machineId !== machine.id || run.machineVersion !== machineVersion) {
    throw new UserError(
      'E_MACHINE_VERSION',
      `release ${releaseId} was saved by machine ${run.machineId} version ${run.machineVersion}; this release tool runs ${machine.id} version ${machineVersion}`,
      `Resume release ${releaseId} with the version of release that started it; nothing was changed.`,
      2,
    )
  }
  return run.snapshot
}

/** 'a' for flat machines, 'a.b' when nested, 'a.b,c.d' for parallel regions. */
export function stateName(value: StateValue): string {
  if (typeof value === 'string') return value
  return Object.entries(value)
    .map(([key, child]) => {
      const inner = child === undefined ? '' : stateName(child)
      return inner === '' ? key : `${key}.${inner}`
    })
    .join(',')
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}
