/**
 * Which release a command acts on: none may start while one is interrupted or paused; resume takes
 * the interrupted one, promote and abort the paused one; and a decision taken before the lease is
 * taken again under it, so that a release that moved on in between is never acted on.
 */
import {revisionOf, type ReleaseRecord, type TargetLedger} from '../engine/ledger.js'
import {UserError} from '../errors.js'
import type {Workspace} from './workspace.js'

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

/** What `resume` acts on: the newest release, interrupted. */
export function interruptedRelease(ledger: TargetLedger, target: string): ReleaseRecord {
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
export function pausedRelease(ledger: TargetLedger, target: string): ReleaseRecord {
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
export function decideAgain(
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
