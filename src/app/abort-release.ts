/** `release abort`: a release sent back, at its gate at once, or running at its next step boundary. */
import {targetOrError} from '../config/index.js'
import {appendJournal} from '../engine/journal.js'
import {requestAbort} from '../engine/abort-request.js'
import {printableText} from '../util/text.js'
import {whoAmI} from '../util/who.js'
import type {UserError} from '../errors.js'
import {exitCodeFor} from '../ports/release.js'
import {abortPending, DEFAULT_ABORT_WAIT_MS} from './abort-pending.js'
import type {AccountOverrides} from './account.js'
import {continueFromSnapshot, resume} from './continue-release.js'
import type {ReleaseHooks, ReleaseResult} from './release-request.js'
import {pausedRelease} from './release-to-act-on.js'
import type {Workspace} from './workspace.js'

/**
 * Sends a release back, from any process: one waiting at a gate at once; a running one at its next
 * step boundary. For a running release the request is recorded in the store, where the process driving
 * it finds it within one poll (within 30 s in an incremental window, see ABORT_LOOK_BOUND_MS in
 * triggers.ts); this waits for it to end. A release whose process died is resumed here,
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
