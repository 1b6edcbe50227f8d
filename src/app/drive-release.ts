/**
 * Runs a release's machine to its verdict under the lease: progress to the journal, the snapshot and
 * the ledger after every transition, the lease renewed, a stop at a gate, then the outcome told,
 * recorded in the ledger (a success makes the version live) and summed up in one sentence.
 */
import {appendJournal, sharedJournal} from '../engine/journal.js'
import {leaseLost} from '../engine/fenced.js'
import type {ReleaseRecord} from '../engine/ledger.js'
import {runPersisted} from '../engine/runner.js'
import {isGateState} from '../../machines/common.js'
import {exitCodeFor, type Outcome, type ProgressEvent} from '../ports/release.js'
import type {NoticeEvent} from '../ports/notices.js'
import type {TargetConfig} from '../config/index.js'
import type {Account} from './account.js'
import type {StrategyRunner} from './kinds/index.js'
import type {LeaseWatch} from './lease-watch.js'
import type {Triggers} from './triggers.js'
import {noticeOf, type Notifier} from './notices/index.js'
import {enforceVersion, keepEnforced} from './enforce.js'
import {isLeaseLost} from './lease-wiring.js'
import {leaseTtlMs} from './lease-ttl.js'
import type {ReleaseHooks, ReleaseResult} from './release-request.js'
import type {Workspace} from './workspace.js'
import {cli} from '../util/cli-context.js'
import {crashForTest} from './crash-for-test.js'
import {credentialsError} from './credentials-error.js'
import {UserError} from '../errors.js'
import type {StepHook} from '../util/step-hook.js'

/** Where a release starts: a fresh run from its input, or its last snapshot with the event that continues it. */
export type ReleaseStart = {input: unknown} | {snapshot: unknown; send?: {type: string; reason?: string; by?: string}}

export async function driveRelease(
  ws: Workspace,
  account: Account,
  runner: StrategyRunner,
  target: TargetConfig,
  record: ReleaseRecord,
  start: ReleaseStart,
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
    const line = `${event.state}\u0000${event.message}`
    if (line === lastJournaled) return
    lastJournaled = line
    // Deferred: a progress line rides with the poll's next journal write (one write per poll).
    progressWrites = progressWrites
      .then(() => sharedJournal(ws.store, ws.now).defer({releaseId: record.id, type: 'progress', state: event.state, message: event.message}))
      .catch(() => undefined)
  }
  // Where the machine is (persisted): said by a release that stops on a refused caller.
  let at = record.state
  const stop: RefusedStop = {
    watch,
    target: target.name,
    stoppedAt: () => `${record.id} stopped at ${at}`,
    // For whoever resumes it: why it stopped (the state store may refuse it too, with the same credentials).
    note: (message) => appendJournal(ws.store, record.id, {type: 'note', state: at, message, now: ws.now}).then(() => undefined, () => undefined),
  }
  const machine = runner.bind({ws, account, record, report, atStep: stepHook(triggers, stop)})
  // A renewal refused means another process holds the lease now: this one stops (E_LEASE_LOST).
  const renewal = setInterval(() => void lease.renew().then((ours) => (ours ? undefined : watch.markLost()), () => undefined), leaseTtlMs() / 3)
  renewal.unref()
  try {
    const result = await runPersisted({
      machine,
      ...start,
      releaseId: record.id,
      store: ws.store,
      machineVersion: runner.machineVersion,
      now: ws.now,
      pauseAt: isGateState,
      signal: watch.signal,
      onTransition: async (state, context) => {
        at = state
        const updated = await ws.ledger.update(target.name, record.id, {state, details: runner.details(context)})
        if (!(await lease.renew())) throw await leaseLost(ws.store, lease)
        hooks.onTransition?.(state, updated)
        crashForTest(state)
      },
    })
    await progressWrites
    await sharedJournal(ws.store, ws.now).flush(record.id)
    if (result.status === 'paused') {
      const message = `${record.id} waits at the gate ${result.state}: continue it with release promote ${target.name}, or send it back with release abort ${target.name}`
      const paused = await ws.ledger.update(target.name, record.id, {state: result.state, outcome: 'paused', message, details: runner.details(result.context)})
      await notifier.notify(`paused:${result.state}`, noticeOf('paused', paused, message, ws.now()))
      await notifier.flush()
      return {record: paused, outcome: 'paused', message, exitCode: exitCodeFor('paused')}
    }
    const outcome: Outcome = result.status === 'error' ? 'failed' : outcomeOf(result.state, result.context as {abort?: unknown} | undefined)
    const message =
      result.status === 'error'
        ? `${record.id} stopped on an internal error: ${(result.error as Error)?.message ?? 'unknown'}. Check the account before another release; see release history ${target.name}.`
        : runner.summarize(record, outcome, result.context)
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
    await keepEnforced(target, () => enforceVersion(account.associations, target, liveAfter), (message) => report({releaseId: record.id, state: 'enforce', message}), isLeaseLost)
    const finished = await ws.ledger.finish(target.name, record.id, {
      state: result.state,
      outcome,
      message,
      details: runner.details(result.context),
    })
    // Bounded: a destination that does not answer never holds the release past its end for long.
    await notifier.flush()
    return {record: finished, outcome, message, exitCode: exitCodeFor(outcome)}
  } finally {
    clearInterval(renewal)
  }
}

/** How a release stops on a refused caller (stepHook). */
interface RefusedStop {
  watch: LeaseWatch
  target: string
  /** `<release id> stopped at <state>`: the state persisted last, which a resume continues from. */
  stoppedAt: () => string
  /** Notes it in the journal, if the state store takes it. */
  note: (message: string) => Promise<void>
}

/**
 * The hook of the release's steps: the triggers' look as each step starts. A step that failed because
 * AWS no longer lets the caller act (credentials expired, missing or unknown; a permission refused) is
 * no failure of the release: its way back would be refused too, and a long release outlives a CI
 * job's credentials. So the release stops where it is, as after a crash, its last persisted state
 * kept, and `release resume` continues it once that is fixed.
 */
function stepHook(triggers: Triggers, stop: RefusedStop): StepHook {
  return async (step, failed) => {
    if (!failed) return triggers.atStep(step)
    const refused = credentialsError(failed.error, `continue it with release resume ${stop.target}`)
    if (!refused) return
    const message = `${stop.stoppedAt()}, nothing undone: ${refused.message}`
    await stop.note(`${message}; next: ${refused.hint}`)
    stop.watch.interrupt(new UserError(refused.code, message, refused.hint, refused.exitCode))
    // The machine never hears of the failure: the run ends on the interrupt.
    await new Promise<never>(() => {})
  }
}

function outcomeOf(state: string, context: {abort?: unknown} | undefined): Outcome {
  if (state === 'succeeded') return 'succeeded'
  if (state === 'rolledBack') return context?.abort ? 'aborted' : 'rolledBack'
  return 'failed'
}
