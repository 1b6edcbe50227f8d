/**
 * Rollout, rollback and resume: one release of one target, whatever its strategy, from the checks
 * that refuse bad input before anything changes, through the persisted machine, to the ledger's verdict.
 */
import {leaseTtlMs} from './lease-ttl.js'
import {releaseIdPrefix} from '../config/environments.js'
import {targetOrError, validateVersion, type TargetConfig} from '../config/index.js'
import {appendJournal, Journal, sharedJournal} from '../engine/journal.js'
import {fencedStore, leaseLost} from '../engine/fenced.js'
import {requestAbort} from '../engine/abort-request.js'
import {abortPending, DEFAULT_ABORT_WAIT_MS} from './abort-pending.js'
import {acquireLease, LeaseLostError} from '../engine/lease.js'
import {Ledger, revisionOf, type ReleaseRecord, type RequestedOptions, type TargetLedger} from '../engine/ledger.js'
import {loadResumableSnapshot, loadSnapshot, runPersisted} from '../engine/runner.js'
import {isGateState} from '../../machines/common.js'
import {printableText} from '../util/text.js'
import {whoAmI} from '../util/who.js'
import {UserError} from '../errors.js'
import {exitCodeFor, type Outcome, type ProgressEvent} from '../ports/release.js'
import {openAccount, type Account, type AccountOverrides} from './account.js'
import {kindFor, type ReleaseKind} from './kinds/index.js'
import type {ReleaseOptions} from './kinds/kind.js'
import {LeaseWatch} from './lease-watch.js'
import {Triggers} from './triggers.js'
import {noticeOf, notifierFor, type Notifier} from './notices/index.js'
import type {NoticeEvent} from '../ports/notices.js'
import {alarmWatch, checkAlarms, describeAlarm} from './alarms.js'
import {checkAgainstAccount} from './preflight.js'
import {checkDrift, refuseDrifted} from './drift-check.js'
import {endWarmPeriod, warmEndText} from './warm.js'
import {enforceLiveVersion, enforceVersion, keepEnforced} from './enforce.js'
import type {Workspace} from './workspace.js'
import {cli} from '../util/cli-context.js'
import {crashForTest} from './crash-for-test.js'

/** A lease outlives a crashed holder by at most this long; a running release renews it well before. */

export interface ReleaseRequest {
  target: string
  version: string
  kind: 'rollout' | 'rollback' | 'converge'
  /** Rollout of the version already live, on purpose (a re-release); refused without it. */
  force?: boolean
  /** A group serving the target's traffic sources that the ledger does not know, to take over. */
  adopt?: string
  /** Rollback without bake or gates. */
  emergency?: boolean
  /** Roll out although an alarm of the target is in ALARM (recorded in the journal). */
  ignoreAlarms?: boolean
  /** A converge of an incremental target: the drifted instances, the only ones it changes. */
  instances?: string[]
  /** A converge: the fleet's instances when it began, what later drift checks compare against. */
  fleet?: string[]
}

export interface ReleaseHooks {
  onStart?: (record: ReleaseRecord, how: {resumed: boolean; as?: 'resumed' | 'promoted' | 'aborted'}) => void
  onTransition?: (state: string, record: ReleaseRecord) => void
  onProgress?: (event: ProgressEvent) => void
  /**
   * Test hook: called by resume, promote and abort between their first read of the ledger and taking
   * the lease, so that a test can stall a command exactly there while another one acts.
   */
  beforeLease?: () => Promise<void>
  /** `abort` of a running release: called once its request is recorded, before it waits for the release to stop. */
  onAbortRequested?: (record: ReleaseRecord) => void
  /** How `abort` sleeps between looks at a running release (tests pass one that does not sleep in real time). */
  sleep?: (ms: number) => Promise<void>
}

export interface ReleaseResult {
  record: ReleaseRecord
  outcome: Outcome
  message: string
  exitCode: number
}

export async function rollout(
  ws: Workspace,
  request: Omit<ReleaseRequest, 'kind' | 'emergency'>,
  hooks: ReleaseHooks = {},
  overrides: AccountOverrides = {},
): Promise<ReleaseResult> {
  return runRelease(ws, {...request, kind: 'rollout'}, hooks, overrides)
}

/** Back to `to`, or by default to the last known good version before the live one. */
export async function rollback(
  ws: Workspace,
  request: {target: string; to?: string; emergency?: boolean},
  hooks: ReleaseHooks = {},
  overrides: AccountOverrides = {},
): Promise<ReleaseResult> {
  const target = targetOrError(ws.config, request.target)
  const ledger = await ws.ledger.read(target.name)
  const good = succeededVersions(ledger.releases).filter((v) => v !== ledger.liveVersion)
  const version = request.to === undefined ? await ws.ledger.lastKnownGood(target.name) : validateVersion(request.to)
  if (version === undefined) {
    throw new UserError(
      'E_NO_EARLIER_VERSION',
      `${target.name} has no earlier version to roll back to (live: ${ledger.liveVersion ?? 'none'})`,
      `roll out a version instead: release rollout ${target.name} --version <version>`,
    )
  }
  if (version === ledger.liveVersion) {
    throw new UserError('E_ALREADY_LIVE', `${version} is already live on ${target.name}`, `see release status ${target.name}`)
  }
  if (!good.includes(version)) {
    throw new UserError(
      'E_UNKNOWN_VERSION',
      `${target.name} never ran ${version} successfully, so it is not a version to roll back to`,
      good.length > 0
        ? `choose one of: ${good.join(', ')}; or roll it out: release rollout ${target.name} --version ${version}`
        : `roll it out instead: release rollout ${target.name} --version ${version}`,
    )
  }
  return runRelease(ws, {target: target.name, version, kind: 'rollback', emergency: request.emergency}, hooks, overrides)
}

/** One release of any kind; `converge` (src/app/converge.ts) runs through here like a rollout. */
export async function runRelease(
  ws: Workspace,
  request: ReleaseRequest,
  hooks: ReleaseHooks,
  overrides: AccountOverrides,
): Promise<ReleaseResult> {
  const target = targetOrError(ws.config, request.target)
  const version = validateVersion(request.version)
  const kind = kindFor(target)
  // The id the ledger will give this release: under the lease nobody else can take it first.
  const releaseId = `${releaseIdPrefix(ws.config)}${target.name}-${(await ws.ledger.read(target.name)).releases.length + 1}`
  const lease = await acquireLease(ws.store, target.name, {releaseId, ttlMs: leaseTtlMs(), now: ws.now})
  const watch = new LeaseWatch(ws.store, lease)
  const own = held(ws, watch)
  try {
    await refuseInterrupted(own, target.name)
    const triggers = triggersFor(own, kind)
    const account = await openAccount(ws.config, watched(overrides, watch, triggers))
    await kind.preflight(account, version)
    // A rollback is what an alarm calls for: only a rollout is refused for one in ALARM.
    const alarming = await checkAlarms(account.alarms, target, {refuseAlarming: request.kind === 'rollout', ignore: request.ignoreAlarms === true, environment: ws.config.environment})
    const options = await checkAgainstAccount(own, account, target, {...request, version})
    // What is live is checked for drift first: said, or with drift: refuse, refused (nothing changed).
    const drifted = request.kind === 'rollout' ? await checkDrift(own, account, target) : undefined
    for (const line of drifted?.lines ?? []) hooks.onProgress?.({releaseId, step: 'planning', message: line})
    if (drifted) refuseDrifted(target, drifted)
    await endWarm(own, account, target, releaseId, hooks)
    await keepEnforced(target, () => enforceLiveVersion(own, account.associations, target), (message) => hooks.onProgress?.({releaseId, step: 'planning', message}), isLeaseLost)
    // The options go into the ledger with the record: a resume before the first snapshot needs them.
    const record = await own.ledger.begin(target.name, {version, strategy: kind.strategy, kind: request.kind, options: requestedOptions(options, request)})
    hooks.onStart?.(record, {resumed: false})
    if (drifted && drifted.lines.length > 0) {
      await appendJournal(own.store, record.id, {type: 'note', state: 'planning', message: drifted.lines.join('\n'), now: ws.now})
    }
    if (alarming.length > 0) {
      const note = `started with ${alarming.map(describeAlarm).join('; ')} (${request.ignoreAlarms ? `--ignore-alarms by ${whoAmI()}` : 'a rollback'}); not counted while they stay so`
      // Kept with the note: a resumed release lets the same alarms through.
      const data = {ignoredAlarms: alarming.map((a) => ({name: a.name, since: a.since}))}
      await appendJournal(own.store, record.id, {type: 'note', state: 'planning', message: note, data, now: ws.now})
    }
    if (target.alarms.length > 0) triggers.watchAlarms(alarmWatch(account.alarms, target.alarms, alarming))
    triggers.arm(record.id)
    const notifier = notifierFor(own, account, target, record.id, overrides.notices)
    const started = `${request.kind} of ${target.name} to ${version} started (live: ${record.previousVersion ?? 'none'})`
    await notifier.notify('started', noticeOf('started', record, started, ws.now()))
    return await drive(own, account, kind, target, record, {input: await kind.input(own, record, options)}, watch, hooks, triggers, notifier)
  } finally {
    await lease.release()
  }
}

/**
 * Continues a release whose process died (a crash, a cancelled CI job, a closed laptop) from its last
 * persisted snapshot: the step that was in flight runs again and re-attaches to what it had started.
 */
export async function resume(
  ws: Workspace,
  request: {target: string},
  hooks: ReleaseHooks = {},
  overrides: AccountOverrides = {},
): Promise<ReleaseResult> {
  const target = targetOrError(ws.config, request.target)
  return continueFromSnapshot(ws, target, (ledger) => interruptedRelease(ledger, target.name), undefined, hooks, overrides)
}

/** Continues a release waiting at a gate to the end, from any process (a later CI job on the same state). */
export async function promote(ws: Workspace, request: {target: string}, hooks: ReleaseHooks = {}, overrides: AccountOverrides = {}) {
  const target = targetOrError(ws.config, request.target)
  return continueFromSnapshot(ws, target, (ledger) => pausedRelease(ledger, target.name), {type: 'PROMOTE'}, hooks, overrides)
}

/**
 * Sends a release back, from any process: one waiting at a gate at once; a running one at its next
 * step boundary. For a running release the request is recorded in the store, where the process driving
 * it finds it within one poll; this waits for it to end. A release whose process died is resumed here,
 * which carries the abort out. Either way it ends `aborted` (exit 3) with the previous version live,
 * unless it had gone past where it can go back (retiring), and then it ends as it ends.
 */
export async function abort(
  ws: Workspace,
  request: {target: string; reason?: string; /** How long to wait for a running release to end (default DEFAULT_ABORT_WAIT_MS). */ waitMs?: number},
  hooks: ReleaseHooks = {},
  overrides: AccountOverrides = {},
) {
  const target = targetOrError(ws.config, request.target)
  const waitMs = request.waitMs ?? DEFAULT_ABORT_WAIT_MS
  const reason = printableText(request.reason ?? '').trim() || 'aborted by a person'
  const by = whoAmI()
  const current = await ws.ledger.current(target.name)
  if (current?.outcome === 'inProgress') {
    // The note is what the holder sees first: it takes the place of its next journal line (Journal.owe).
    // A repeated request notes itself too, so one whose first note was lost in a crash still shows.
    const first = await requestAbort(ws.store, current.id, {reason, by, at: new Date(ws.now()).toISOString()})
    const message = first ? `abort requested by ${by}: ${reason}` : `abort requested again by ${by}: ${reason} (the first request stands)`
    await appendJournal(ws.store, current.id, {type: 'note', state: current.state, message, now: ws.now})
    hooks.onAbortRequested?.(current)
    const ended = await untilStopped(ws, target.name, waitMs, hooks, overrides)
    if (ended) return ended
    // It reached a gate before it saw the request: sent back from there, below.
  }
  return continueFromSnapshot(ws, target, (ledger) => pausedRelease(ledger, target.name), {type: 'ABORT', reason, by}, hooks, overrides)
}

/**
 * Waits for a release asked to stop, at most `waitMs` (then E_ABORT_PENDING, exit 5, the request kept):
 * its end, or undefined when it paused at a gate. A release nothing drives any more (its process died,
 * or its lease went stale during the wait) is resumed, and its resumed step sees the request at once.
 */
async function untilStopped(ws: Workspace, target: string, waitMs: number, hooks: ReleaseHooks, overrides: AccountOverrides): Promise<ReleaseResult | undefined> {
  const {waitForRelease} = await import('./wait.js')
  let waited
  try {
    waited = await waitForRelease(ws, {target, timeoutMs: waitMs}, {sleep: hooks.sleep})
  } catch (error) {
    if ((error as UserError).code !== 'E_INTERRUPTED') throw error
    return resume(ws, {target}, hooks, overrides)
  }
  const {record} = waited
  if (waited.ended === 'timedOut') throw await abortPending(ws.store, record, waitMs)
  if (record.outcome === 'paused') return undefined
  const message =
    record.outcome === 'aborted'
      ? (record.message ?? `${record.id} was aborted`)
      : `${record.id} ended ${record.outcome} before the abort could take it back: ${record.message ?? ''}`.trim()
  return {record, outcome: record.outcome, message, exitCode: exitCodeFor(record.outcome)}
}

/** What `resume` acts on: the newest release, interrupted. */
function interruptedRelease(ledger: TargetLedger, target: string): ReleaseRecord {
  const current = ledger.releases.at(-1)
  if (current?.outcome === 'paused') {
    throw new UserError(
      'E_PAUSED',
      `${current.id} is not interrupted: it waits at the gate ${current.state}`,
      `continue it with release promote ${target}, or send it back with release abort ${target}`,
    )
  }
  if (!current || current.outcome !== 'inProgress') {
    throw new UserError(
      'E_NOTHING_TO_RESUME',
      current
        ? `the latest release of ${target} (${current.id}) is not interrupted: it ended ${current.outcome}`
        : `${target} has no release to resume`,
      `see release status ${target}`,
    )
  }
  return current
}

/** What `promote` and `abort` act on: the newest release, waiting at a gate. */
function pausedRelease(ledger: TargetLedger, target: string): ReleaseRecord {
  const current = ledger.releases.at(-1)
  if (!current || current.outcome !== 'paused') {
    throw new UserError(
      'E_NOT_PAUSED',
      current
        ? `the latest release of ${target} (${current.id}) is not waiting at a gate: ${current.outcome === 'inProgress' ? `it is in progress at ${current.state}` : `it ended ${current.outcome}`}`
        : `${target} has no release`,
      current?.outcome === 'inProgress' ? `wait for it to reach its gate: release wait ${target} --for paused` : `see release status ${target}`,
    )
  }
  return current
}

/**
 * The decision taken on the first read, taken again on a read under the lease. Only a holder of the
 * lease writes the ledger, so an unchanged revision means nothing happened in between; a changed one
 * is decided again, and the command goes on only if it would act on the same release in the same
 * place. Otherwise the release moved on: E_MOVED_ON, nothing changed.
 */
function decideAgain(
  first: TargetLedger,
  fresh: TargetLedger,
  decided: ReleaseRecord,
  decide: (ledger: TargetLedger) => ReleaseRecord,
  command: string,
): ReleaseRecord {
  if (revisionOf(fresh) === revisionOf(first)) return decided
  let again: ReleaseRecord | undefined
  try {
    again = decide(fresh)
  } catch (error) {
    if (!(error instanceof UserError)) throw error
  }
  if (again && again.id === decided.id && again.outcome === decided.outcome && again.state === decided.state) return again
  const now = fresh.releases.find((r) => r.id === decided.id)
  const newest = fresh.releases.at(-1)
  const where = now
    ? now.outcome === 'inProgress' || now.outcome === 'paused'
      ? `it is now ${now.outcome} at ${now.state}`
      : `it ended ${now.outcome}`
    : 'it is no longer in the ledger'
  return movedOn(decided, command, `${where}${newest && newest.id !== decided.id ? `, and the newest release is ${newest.id} (${newest.version}, ${newest.outcome}); live: ${fresh.liveVersion ?? 'none'}` : ''}`)
}

function movedOn(decided: ReleaseRecord, command: string, what: string): never {
  throw new UserError(
    'E_MOVED_ON',
    `release ${decided.id} moved on while this ${command} waited for its lease: ${what}. This ${command} decided on ${decided.id} ${decided.outcome} at ${decided.state}; nothing was changed`,
    `See release status ${decided.target} and decide again.`,
  )
}

async function continueFromSnapshot(
  ws: Workspace,
  target: TargetConfig,
  decide: (ledger: TargetLedger) => ReleaseRecord,
  send: {type: string; reason?: string; by?: string} | undefined,
  hooks: ReleaseHooks,
  overrides: AccountOverrides,
): Promise<ReleaseResult> {
  const first = await ws.ledger.read(target.name)
  const decided = decide(first)
  const kind = kindFor(target)
  if (kind.strategy !== decided.strategy) {
    throw new UserError(
      'E_STRATEGY_CHANGED',
      `${decided.id} was started as an ${decided.strategy} release, but release.yml now says ${kind.strategy} for ${target.name}`,
      `restore the target's strategy in release.yml to continue it`,
    )
  }
  await hooks.beforeLease?.()
  const lease = await acquireLease(ws.store, target.name, {releaseId: decided.id, ttlMs: leaseTtlMs(), now: ws.now})
  const watch = new LeaseWatch(ws.store, lease)
  const own = held(ws, watch)
  try {
    // Decided again on a fresh read under the lease: a stale actor changes nothing.
    const fresh = await own.ledger.read(target.name)
    const command = send ? (send.type === 'PROMOTE' ? 'promote' : 'abort') : 'resume'
    const current = decideAgain(first, fresh, decided, decide, command)
    // A damaged journal is refused now, with nothing changed, not found out half-way (E_STATE_CORRUPT).
    const journal = await new Journal(own.store, ws.now).read(current.id)
    // A process that died before its first snapshot had only begun planning, which changes nothing: start over.
    const start = (await loadSnapshot(own.store, current.id))
      ? {snapshot: await loadResumableSnapshot(own.store, current.id, kind.machine, kind.machineVersion), send}
      : {input: await kind.input(own, current, current.options)}
    const triggers = triggersFor(own, kind)
    const account = await openAccount(ws.config, watched(overrides, watch, triggers))
    // The gate's 'waits at the gate' message no longer holds once the release moves on.
    if (target.alarms.length > 0) triggers.watchAlarms(alarmWatch(account.alarms, target.alarms, ignoredAlarms(journal)))
    const running = await own.ledger.update(target.name, current.id, {outcome: 'inProgress', message: undefined}, revisionOf(fresh))
    hooks.onStart?.(running, {resumed: true, as: send ? (send.type === 'PROMOTE' ? 'promoted' : 'aborted') : 'resumed'})
    await endWarm(own, account, target, current.id, hooks)
    await keepEnforced(target, () => enforceLiveVersion(own, account.associations, target), (message) => hooks.onProgress?.({releaseId: current.id, step: 'planning', message}), isLeaseLost)
    // A resumed release whose abort was requested meanwhile goes back as its step starts again.
    triggers.arm(running.id)
    const notifier = notifierFor(own, account, target, running.id, overrides.notices)
    if (send?.type === 'PROMOTE') {
      await notifier.notify(`promoted:${current.state}`, noticeOf('promoted', running, `${running.id} was promoted at ${current.state}`, ws.now()))
    }
    return await drive(own, account, kind, target, running, start, watch, hooks, triggers, notifier)
  } finally {
    await lease.release()
  }
}

async function drive(
  ws: Workspace,
  account: Account,
  kind: ReleaseKind,
  target: TargetConfig,
  record: ReleaseRecord,
  start: {input: unknown} | {snapshot: unknown; send?: {type: string; reason?: string; by?: string}},
  watch: LeaseWatch,
  hooks: ReleaseHooks,
  triggers: Triggers,
  notifier: Notifier,
): Promise<ReleaseResult> {
  const lease = watch.lease
  // Progress lines go to the journal one after another, in the order the steps reported them.
  let progressWrites: Promise<unknown> = Promise.resolve()
  let lastJournaled = ''
  const report = (event: ProgressEvent) => {
    hooks.onProgress?.(event)
    // A poll that finds nothing new reports the same line again: the journal keeps it once.
    const line = `${event.step}\u0000${event.message}`
    if (line === lastJournaled) return
    lastJournaled = line
    // Deferred: a progress line rides with the poll's next journal write (one write per poll).
    progressWrites = progressWrites
      .then(() => sharedJournal(ws.store, ws.now).defer({releaseId: record.id, type: 'progress', state: event.step, message: event.message}))
      .catch(() => undefined)
  }
  const machine = kind.bind({ws, account, record, report, atStep: triggers.atStep})
  // A renewal refused means another process holds the lease now: this one stops (E_LEASE_LOST).
  const renewal = setInterval(() => void lease.renew().then((ours) => (ours ? undefined : watch.markLost()), () => undefined), leaseTtlMs() / 3)
  renewal.unref()
  try {
    const result = await runPersisted({
      machine,
      ...start,
      releaseId: record.id,
      store: ws.store,
      machineVersion: kind.machineVersion,
      now: ws.now,
      pauseAt: isGateState,
      signal: watch.signal,
      onTransition: async (state, context) => {
        const updated = await ws.ledger.update(target.name, record.id, {state, details: kind.details(context)})
        if (!(await lease.renew())) throw await leaseLost(ws.store, lease)
        hooks.onTransition?.(state, updated)
        crashForTest(state)
      },
    })
    await progressWrites
    await sharedJournal(ws.store, ws.now).flush(record.id)
    if (result.status === 'paused') {
      const message = `${record.id} waits at the gate ${result.state}: continue it with release promote ${target.name}, or send it back with release abort ${target.name}`
      const paused = await ws.ledger.update(target.name, record.id, {state: result.state, outcome: 'paused', message, details: kind.details(result.context)})
      await notifier.notify(`paused:${result.state}`, noticeOf('paused', paused, message, ws.now()))
      await notifier.flush()
      return {record: paused, outcome: 'paused', message, exitCode: exitCodeFor('paused')}
    }
    const outcome: Outcome = result.status === 'error' ? 'failed' : outcomeOf(result.state, result.context as {abort?: unknown} | undefined)
    const message =
      result.status === 'error'
        ? `${record.id} stopped on an internal error: ${(result.error as Error)?.message ?? 'unknown'}. Check the account before another release; see release history ${target.name}.`
        : kind.summarize(record, outcome, result.context)
    // Told before the ledger ends the release: a crash in between is resumed and ends it again, and the
    // notifier's record keeps that from telling it twice. A notice is recorded before it is sent, so a
    // crash during its delivery loses it rather than doubling it.
    const abortedBy = (result.context as {abort?: {by?: string} | null} | undefined)?.abort?.by
    await notifier.notify(outcome, noticeOf(outcome as NoticeEvent, {...record, outcome}, message, ws.now(), abortedBy ?? undefined))
    // The crash tests kill the process once this notice has arrived (delivery runs beside the release).
    if (cli().env.RELEASE_TEST_CRASH_AT === `notified:${outcome}`) await notifier.flush().then(() => crashForTest(`notified:${outcome}`))
    // The association follows the version that is live from now on, before the ledger says so: a
    // crash in between is resumed and does it again (it is read before it is changed).
    const liveAfter = outcome === 'succeeded' ? record.version : (await ws.ledger.read(target.name)).liveVersion
    await keepEnforced(target, () => enforceVersion(account.associations, target, liveAfter), (message) => report({releaseId: record.id, step: 'enforce', message}), isLeaseLost)
    const finished = await ws.ledger.finish(target.name, record.id, {
      state: result.state,
      outcome,
      message,
      details: kind.details(result.context),
    })
    // Bounded: a destination that does not answer never holds the release past its end for long.
    await notifier.flush()
    return {record: finished, outcome, message, exitCode: exitCodeFor(outcome)}
  } finally {
    clearInterval(renewal)
  }
}

const isLeaseLost = (error: unknown) => error instanceof LeaseLostError

/**
 * A keepWarm period that is over ends under the lease, before the release acts (src/app/warm.ts): the
 * account's clock decides, the one the period's end was set on.
 */
async function endWarm(ws: Workspace, account: Account, target: TargetConfig, releaseId: string, hooks: ReleaseHooks): Promise<void> {
  if (target.strategy !== 'immutable') return
  try {
    const end = await endWarmPeriod(ws, account.fleet, target.name, account.clock.now())
    if (end) hooks.onProgress?.({releaseId, step: 'planning', message: warmEndText(target.name, end)})
  } catch (error) {
    // Housekeeping must not stop the release (nor leave a promoted one looking interrupted); a lost
    // lease still stops everything.
    if (error instanceof LeaseLostError) throw error
    hooks.onProgress?.({releaseId, step: 'planning', message: `could not end the warm period of ${target.name}'s warm group (${(error as Error).message}); release tidy ${target.name} will`})
  }
}

/**
 * The workspace as the lease's holder writes to it: every write of the store and the ledger is fenced
 * by the lease, so a holder that lost it writes nothing more.
 */
export function held(ws: Workspace, watch: LeaseWatch): Workspace {
  const store = fencedStore(ws.store, watch.lease, () => watch.written())
  return {...ws, store, ledger: new Ledger(store, ws.now, releaseIdPrefix(ws.config))}
}

/**
 * The account's step clock watches the lease too (after the test's own wrapping, if any), then the
 * rollback triggers: a release that lost its lease never looks at them.
 */
function watched(overrides: AccountOverrides, watch: LeaseWatch, triggers: Triggers): AccountOverrides {
  const inner = overrides.wrapClock
  return {...overrides, wrapClock: (clock) => triggers.clock(watch.clock(inner ? inner(clock) : clock))}
}

/** The alarms a release let through at its start (`--ignore-alarms`), as its journal noted them. */
function ignoredAlarms(journal: {data?: Record<string, unknown>}[]): {name: string; since: string; state: string; reason: string}[] {
  return journal.flatMap((entry) => {
    const listed = entry.data?.ignoredAlarms
    if (!Array.isArray(listed)) return []
    return listed.flatMap((a: {name?: unknown; since?: unknown}) =>
      typeof a?.name === 'string' && typeof a.since === 'string' ? [{name: a.name, since: a.since, state: 'ALARM', reason: ''}] : [],
    )
  })
}

/** The rollback triggers of a release of this kind, noting in its journal why it stops. */
function triggersFor(ws: Workspace, kind: ReleaseKind): Triggers {
  return new Triggers({
    store: ws.store,
    stopSteps: kind.stopSteps,
    journal: sharedJournal(ws.store, ws.now),
    note: async (releaseId, message) => {
      await appendJournal(ws.store, releaseId, {type: 'note', message, now: ws.now})
    },
  })
}

function outcomeOf(state: string, context: {abort?: unknown} | undefined): Outcome {
  if (state === 'succeeded') return 'succeeded'
  if (state === 'rolledBack') return context?.abort ? 'aborted' : 'rolledBack'
  return 'failed'
}

/** What the ledger keeps of the flags a release was started with (only those that were given). */
function requestedOptions(options: ReleaseOptions, request: ReleaseRequest): RequestedOptions | undefined {
  const kept: RequestedOptions = {
    ...(options.adopt ? {adopt: options.adopt} : {}),
    ...(options.emergency ? {emergency: true} : {}),
    ...(request.force ? {force: true} : {}),
    ...(request.instances ? {instances: request.instances} : {}),
    ...(request.fleet ? {fleet: request.fleet} : {}),
  }
  return Object.keys(kept).length > 0 ? kept : undefined
}

function succeededVersions(releases: ReleaseRecord[]): string[] {
  return [...new Set([...releases].reverse().filter((r) => r.outcome === 'succeeded').map((r) => r.version))]
}

/** A release that died mid-way must be resumed (or settled) before another one starts on the target. */
export async function refuseInterrupted(ws: Workspace, target: string): Promise<void> {
  const current = await ws.ledger.current(target)
  if (current?.outcome === 'paused') {
    throw new UserError(
      'E_PAUSED',
      `release ${current.id} of ${target} (version ${current.version}) waits at the gate ${current.state}`,
      `finish it first: release promote ${target}, or release abort ${target}`,
    )
  }
  if (current && current.outcome === 'inProgress') {
    throw new UserError(
      'E_INTERRUPTED',
      `release ${current.id} of ${target} (version ${current.version}) was interrupted at ${current.state}`,
      `continue it with: release resume ${target}`,
    )
  }
}
