/**
 * Continuing a release from its last snapshot, from any process: `resume` of one whose process died,
 * `promote` of one waiting at a gate, and the way back of `abort` (src/app/abort-release.ts).
 */
import {leaseTtlMs} from './lease-ttl.js'
import {targetOrError, type TargetConfig} from '../config/index.js'
import {Journal} from '../engine/journal.js'
import {acquireLease} from '../engine/lease.js'
import {revisionOf, type ReleaseRecord, type TargetLedger} from '../engine/ledger.js'
import {loadResumableSnapshot, loadSnapshot} from '../engine/runner.js'
import {UserError} from '../errors.js'
import {openAccount, type AccountOverrides} from './account.js'
import {strategyRunner} from './kinds/index.js'
import {LeaseWatch} from './lease-watch.js'
import {noticeOf, notifierFor} from './notices/index.js'
import {alarmWatch} from './alarms.js'
import {driveRelease} from './drive-release.js'
import {giveBack, held, triggersFor, watched} from './lease-wiring.js'
import {housekeepUnderLease} from './release-housekeeping.js'
import type {ReleaseHooks, ReleaseResult} from './release-request.js'
import {decideAgain, interruptedRelease, pausedRelease} from './release-to-act-on.js'
import type {Workspace} from './workspace.js'

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

export async function continueFromSnapshot(
  ws: Workspace,
  target: TargetConfig,
  decide: (ledger: TargetLedger) => ReleaseRecord,
  send: {type: string; reason?: string; by?: string} | undefined,
  hooks: ReleaseHooks,
  overrides: AccountOverrides,
): Promise<ReleaseResult> {
  const first = await ws.ledger.read(target.name)
  const decided = decide(first)
  const runner = strategyRunner(target)
  if (runner.strategy !== decided.strategy) {
    throw new UserError(
      'E_STRATEGY_CHANGED',
      `${decided.id} was started as an ${decided.strategy} release, but release.yml now says ${runner.strategy} for ${target.name}`,
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
      ? {snapshot: await loadResumableSnapshot(own.store, current.id, runner.machine, runner.machineVersion), send}
      : {input: await runner.input(own, current, current.options)}
    const triggers = triggersFor(own, runner)
    const account = await openAccount(ws.config, watched(overrides, watch, triggers))
    // The gate's 'waits at the gate' message no longer holds once the release moves on.
    if (target.alarms.length > 0) triggers.watchAlarms(alarmWatch(account.alarms, target.alarms, ignoredAlarms(journal)))
    const running = await own.ledger.update(target.name, current.id, {outcome: 'inProgress', message: undefined}, revisionOf(fresh))
    hooks.onStart?.(running, {resumed: true, as: send ? (send.type === 'PROMOTE' ? 'promoted' : 'aborted') : 'resumed'})
    await housekeepUnderLease(own, account, target, current.id, hooks)
    // A resumed release whose abort was requested meanwhile goes back as its step starts again.
    triggers.arm(running.id)
    const notifier = notifierFor(own, account, target, running.id, overrides.notices)
    if (send?.type === 'PROMOTE') {
      await notifier.notify(`promoted:${current.state}`, noticeOf('promoted', running, `${running.id} was promoted at ${current.state}`, ws.now()))
    }
    return await driveRelease(own, account, runner, target, running, start, watch, hooks, triggers, notifier)
  } finally {
    await giveBack(lease)
  }
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
