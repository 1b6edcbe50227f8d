/**
 * `release wait`: blocks until a target's release reaches a condition, reading only the state
 * store (the ledger and the lease; the journal for --for STATE), never the AWS account, so a CI
 * stage can gate on a release that another process (a detached rollout, another job) runs. No hidden
 * cap: without a timeout it waits as long as the release runs. It never waits on a release that
 * nothing will move: one in progress whose lease is gone or stale is reported as interrupted.
 */
import {targetOrError} from '../config/targets.js'
import {Journal} from '../engine/journal.js'
import {isStale, readLease, type LeaseRecord} from '../engine/lease.js'
import type {ReleaseRecord} from '../engine/ledger.js'
import {UserError} from '../errors.js'
import {EXIT, exitCodeFor, type Outcome} from '../ports/release.js'
import {releaseView, statusOf, type StatusView} from './views.js'
import type {Workspace} from './workspace.js'

/** What `--for` asks for. */
export type WaitCondition = {kind: 'terminal'} | {kind: 'paused'} | {kind: 'succeeded'} | {kind: 'state'; state: string}

export const TERMINAL_OUTCOMES: readonly Outcome[] = ['succeeded', 'rolledBack', 'failed', 'aborted']

export function isTerminal(outcome: Outcome): boolean {
  return TERMINAL_OUTCOMES.includes(outcome)
}

/** `terminal` (the default), `paused`, `succeeded`, or the name of a machine state such as `baking`. */
export function parseCondition(text: string | undefined): WaitCondition {
  const value = (text ?? 'terminal').trim()
  if (value === 'terminal' || value === 'paused' || value === 'succeeded') return {kind: value}
  if (!/^[A-Za-z][A-Za-z0-9_.]*$/.test(value)) {
    throw new UserError(
      'E_WAIT_FOR',
      `--for ${JSON.stringify(text)} is neither terminal, paused, succeeded nor a state name`,
      'Use --for terminal, --for paused, --for succeeded, or a state of the machine (see release graph).',
    )
  }
  return {kind: 'state', state: value}
}

export function describeCondition(condition: WaitCondition): string {
  switch (condition.kind) {
    case 'terminal':
      return 'end (or pause at a gate)'
    case 'paused':
      return 'pause at a gate (or end)'
    case 'succeeded':
      return 'succeed (or end otherwise)'
    case 'state':
      return `reach ${condition.state} (or end)`
  }
}

/** Sleeps on the wall clock; tests pass one that advances a fake clock instead. */
export type Sleep = (ms: number) => Promise<void>
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Poll intervals: 250 ms at first and after every change, doubling up to 2 s while nothing moves. */
export class Backoff {
  static readonly FIRST_MS = 250
  static readonly MAX_MS = 2_000
  private current = Backoff.FIRST_MS
  next(): number {
    const ms = this.current
    this.current = Math.min(this.current * 2, Backoff.MAX_MS)
    return ms
  }
  reset(): void {
    this.current = Backoff.FIRST_MS
  }
}

/** One look at a release: its ledger record and whether anything holds it. */
export interface Observation {
  record: ReleaseRecord
  lease: LeaseRecord | undefined
  /** In progress, but no live lease is held for it: nothing will move it until `release resume`. */
  interrupted: boolean
}

export interface ObserveOptions {
  now?: () => number
  /** Defaults to isStale of src/engine/lease.ts (expired, or its holder on this host is gone). */
  isStale?: (lease: LeaseRecord, now: number) => boolean
}

/**
 * Reads the lease before the ledger: a release is in its ledger only while its lease is held (taken
 * before the ledger shows it running, given back after it ended), so a lease missing at the first read
 * and a release still in progress at the second means nothing was driving it; read the other way
 * round, a release that ends between the two reads would look interrupted.
 */
export async function observe(ws: Workspace, target: string, releaseId: string, options: ObserveOptions = {}): Promise<Observation> {
  const now = options.now ?? ws.now
  const stale = options.isStale ?? ((lease: LeaseRecord, at: number) => isStale(lease, at))
  const lease = await readLease(ws.store, target)
  const ledger = await ws.ledger.read(target)
  const record = ledger.releases.find((r) => r.id === releaseId)
  if (!record) {
    throw new UserError(
      'E_UNKNOWN_RELEASE',
      `target ${target} has no release ${releaseId}`,
      `see its releases with: release history ${target}`,
    )
  }
  const held = lease !== undefined && lease.releaseId === record.id && !stale(lease, now())
  return {record, lease, interrupted: record.outcome === 'inProgress' && !held}
}

export function interruptedError(observation: Observation, target: string): UserError {
  const {record, lease} = observation
  const why =
    lease === undefined
      ? 'no process holds its lease'
      : lease.releaseId !== record.id
        ? `the lease of ${target} is held for ${lease.releaseId}, not for it`
        : `its lease, held by ${lease.holder}, is stale (expired ${lease.expires}, or its process is gone)`
  return new UserError(
    'E_INTERRUPTED',
    `release ${record.id} of ${target} (version ${record.version}) was interrupted at ${record.state}: it is in progress but ${why}, so nothing will move it`,
    `continue it with: release resume ${target}`,
    EXIT.failed,
  )
}

/** The newest release of a target, or E_NO_RELEASE (exit 2). */
export async function newestRelease(ws: Workspace, target: string): Promise<ReleaseRecord> {
  const current = await ws.ledger.current(target)
  if (!current) {
    throw new UserError('E_NO_RELEASE', `${target} has no release yet`, `start one with: release rollout ${target} --version <version>`)
  }
  return current
}

export interface WaitRequest {
  target: string
  /** `--for` as typed; default terminal. */
  for?: string
  /** Give up after this long (wall clock); undefined: no limit. */
  timeoutMs?: number
}

export interface WaitHooks {
  sleep?: Sleep
  /** Wall clock for the timeout and lease expiry; defaults to the workspace's. */
  now?: () => number
  isStale?: (lease: LeaseRecord, now: number) => boolean
  /** Once, with the release being waited on. */
  onStart?: (record: ReleaseRecord, condition: WaitCondition) => void
  /** Each time its state or outcome changes. */
  onChange?: (record: ReleaseRecord, previous: ReleaseRecord) => void
}

export interface WaitResult {
  /** As `release status <target> --json` prints it, its release being the one waited on. */
  status: StatusView
  record: ReleaseRecord
  /** How the wait ended: the condition met, the release ended (or paused) otherwise, or the timeout. */
  ended: 'met' | 'outcome' | 'timedOut'
  exitCode: number
}

/**
 * Waits on the target's newest release as it is when the wait starts: a release begun later is not
 * this one. Exit codes: by outcome (0 succeeded, 3 rolled back or aborted, 1 failed, 10 paused), 0 when
 * --for STATE is reached while in progress, 5 on timeout. Throws E_INTERRUPTED (exit 1) when the release
 * is in progress but nothing holds it, E_NO_RELEASE or E_UNKNOWN_TARGET (exit 2).
 */
export async function waitForRelease(ws: Workspace, request: WaitRequest, hooks: WaitHooks = {}): Promise<WaitResult> {
  const target = targetOrError(ws.config, request.target).name
  const condition = parseCondition(request.for)
  const now = hooks.now ?? ws.now
  const sleep = hooks.sleep ?? realSleep
  if (request.timeoutMs !== undefined && (!Number.isFinite(request.timeoutMs) || request.timeoutMs < 0)) {
    throw new UserError('E_DURATION', `the timeout must be a duration of 0 or more`, 'e.g. --timeout 30m')
  }
  const deadline = request.timeoutMs === undefined ? undefined : now() + request.timeoutMs
  const pinned = await newestRelease(ws, target)
  if (condition.kind === 'state') await checkStateName(condition.state, pinned)

  const states = condition.kind === 'state' ? new ReachedStates(ws, pinned.id) : undefined
  const backoff = new Backoff()
  let previous: ReleaseRecord | undefined
  for (;;) {
    const seen = await observe(ws, target, pinned.id, {now, isStale: hooks.isStale})
    const record = seen.record
    if (!previous) hooks.onStart?.(record, condition)
    else if (record.state !== previous.state || record.outcome !== previous.outcome) {
      hooks.onChange?.(record, previous)
      backoff.reset()
    }
    const changed = !previous || record.state !== previous.state
    previous = record

    const verdict = await judge(condition, record, changed ? states : undefined)
    if (verdict) return finish(ws, target, record, verdict.ended, verdict.exitCode)
    if (seen.interrupted) throw interruptedError(seen, target)
    if (deadline !== undefined && now() >= deadline) return finish(ws, target, record, 'timedOut', EXIT.waitTimedOut)
    const pause = backoff.next()
    await sleep(deadline === undefined ? pause : Math.max(0, Math.min(pause, deadline - now())))
  }
}

/** Whether the wait is over for this record, and with which exit code. */
async function judge(
  condition: WaitCondition,
  record: ReleaseRecord,
  states: ReachedStates | undefined,
): Promise<{ended: 'met' | 'outcome'; exitCode: number} | undefined> {
  const outcome = record.outcome
  const byOutcome = {ended: 'outcome' as const, exitCode: exitCodeFor(outcome)}
  switch (condition.kind) {
    case 'terminal':
    case 'paused':
      // A paused release does not move by itself: waiting for its end would wait for a person.
      if (isTerminal(outcome) || outcome === 'paused') {
        return {...byOutcome, ended: (condition.kind === 'paused') === (outcome === 'paused') ? 'met' : 'outcome'}
      }
      return undefined
    case 'succeeded':
      // A gate is passed by a person (release promote); this wait goes on through it.
      if (outcome === 'succeeded') return {ended: 'met', exitCode: EXIT.succeeded}
      if (isTerminal(outcome)) return byOutcome
      return undefined
    case 'state': {
      const here = stateMatches(record.state, condition.state)
      if (isTerminal(outcome)) return {...byOutcome, ended: here ? 'met' : 'outcome'}
      if (here) return {ended: 'met', exitCode: outcome === 'paused' ? EXIT.paused : EXIT.succeeded}
      // Polling can miss a state the release passed through between two looks; the journal cannot.
      if (states && (await states.reached(condition.state))) return {ended: 'met', exitCode: outcome === 'paused' ? EXIT.paused : EXIT.succeeded}
      return undefined
    }
  }
}

/** `baking` matches `baking` and, for nested machines, `baking.waiting`. */
function stateMatches(state: string, wanted: string): boolean {
  return state === wanted || state.startsWith(`${wanted}.`)
}

/** States a release has entered, from the transitions of its journal. */
class ReachedStates {
  constructor(
    private readonly ws: Workspace,
    private readonly releaseId: string,
  ) {}
  async reached(state: string): Promise<boolean> {
    const entries = await new Journal(this.ws.store, this.ws.now).read(this.releaseId)
    return entries.some((e) => e.type === 'transition' && e.state !== undefined && stateMatches(e.state, state))
  }
}

/** A state the release's machine does not have would never be reached: refuse it up front. */
async function checkStateName(state: string, record: ReleaseRecord): Promise<void> {
  const {MACHINES} = await import('./graph.js')
  const machine = MACHINES[record.strategy]
  if (!machine) return
  const names = Object.keys(machine.root.states)
  if (names.includes(state.split('.')[0] ?? state)) return
  throw new UserError(
    'E_UNKNOWN_STATE',
    `the ${record.strategy} machine of ${record.id} has no state ${JSON.stringify(state)}`,
    `use terminal, paused, succeeded, or one of: ${names.join(', ')}`,
  )
}

async function finish(
  ws: Workspace,
  target: string,
  record: ReleaseRecord,
  ended: WaitResult['ended'],
  exitCode: number,
): Promise<WaitResult> {
  const status = await statusOf(ws, target)
  // The answer is about the release waited on as it was judged, even if it moved on since (or a
  // later release began).
  if (status.release?.id !== record.id) status.interrupted = false
  status.release = releaseView(record)
  return {status, record, ended, exitCode}
}
