/**
 * `release abort` of a running release waits for it to end, but not for ever: a process that holds the
 * lease and renews it, yet never reaches a step boundary (a step stuck in a call, a planning step
 * waiting for agents), would keep the person waiting with no word. After the bound the command says
 * what it saw and stops waiting; the request stays recorded, so the running process still goes back at
 * its next look, and a `release resume` (or another `abort`) carries it out if that process dies.
 */
import {readLease} from '../engine/lease.js'
import type {ReleaseRecord} from '../engine/ledger.js'
import {UserError} from '../errors.js'
import {EXIT} from '../ports/release.js'
import type {StateStore} from '../ports/store.js'
import {formatDuration} from '../config/duration.js'

/**
 * Longer than a lease (5 minutes): a holder that stops renewing (hung, stopped, gone) is found stale
 * within the wait and the abort is carried out here; a live holder has many polls to notice it.
 */
export const DEFAULT_ABORT_WAIT_MS = 10 * 60_000

/** The error of an abort whose release had not ended within the wait (exit 5, as `release wait --timeout`). */
export async function abortPending(store: StateStore, record: ReleaseRecord, waitedMs: number): Promise<UserError> {
  const waited = formatDuration(waitedMs)
  const target = record.target
  const seen = record.details?.abort
  if (seen) {
    return new UserError(
      'E_ABORT_PENDING',
      `${record.id} is going back after the abort (seen at ${seen.at ?? record.state}), and had not ended within ${waited}: it is at ${record.state}`,
      `the abort stands and the running process carries it on; follow it with release wait ${target} (exit 3 once the previous version is live)`,
      EXIT.waitTimedOut,
    )
  }
  const lease = await readLease(store, target).catch(() => undefined)
  const holder = lease && lease.releaseId === record.id ? `the process running it (${lease.holder}, lease until ${lease.expires})` : 'the process running it'
  return new UserError(
    'E_ABORT_PENDING',
    `the abort of ${record.id} is recorded, but ${holder} did not act on it within ${waited}: it is still at ${record.state}, in a step that has not looked since (a step looks once a poll; planning and retiring do not stop)`,
    `nothing more is needed: the request stays, and ${record.id} goes back at its next step boundary; follow it with release wait ${target}. If that process is gone, release resume ${target} carries the abort out`,
    EXIT.waitTimedOut,
  )
}
