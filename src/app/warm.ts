/**
 * The end of a keepWarm period. After a success, the group that served before stays serving-ready
 * until the time the ledger records (`details.retired.warm.until` of that release). No process runs
 * between releases to keep that time, so the period ends when someone next holds the target's lease:
 * a rollout, rollback, resume, promote or abort of the target, or `release tidy` (a scheduled CI job)
 * scales a group whose period is over to zero first, and the ledger records that it did.
 */
import {scaleToZeroUnlessServing} from '../../strategies/immutable/retire.js'
import type {ReleaseRecord, TargetLedger} from '../engine/ledger.js'
import {immutableDetails} from '../engine/release-details.js'
import type {FleetPort} from '../ports/fleet.js'
import type {Workspace} from './workspace.js'

export interface WarmGroup {
  /** The release whose retirement kept the group warm. */
  releaseId: string
  group: string
  /** ISO time, in the account's clock, at which the period ends. */
  until: string
}

/** What a look at the warm group did. */
export type WarmEnd =
  | {group: string; until: string; done: 'scaledToZero' | 'alreadyDown'}
  /** Still attached to a traffic source: left as it is (it may serve), the period stays open. */
  | {group: string; until: string; done: 'attached'; attachedTo: string[]}
  /** The release in progress on the target uses it (e.g. a rollback re-using its stack). */
  | {group: string; until: string; done: 'inUse'}

/**
 * The target's warm group: the one the newest succeeded release kept warm, unless its period was
 * already ended. A later success retired it (scaled to zero with its stack, or deleted) or made it
 * live, so only the newest success counts.
 */
export function warmGroupOf(ledger: TargetLedger): WarmGroup | undefined {
  return warmRelease(ledger)?.warm
}

/** The release that kept the warm group, with the group (see warmGroupOf). */
function warmRelease(ledger: TargetLedger): {release: ReleaseRecord; warm: WarmGroup} | undefined {
  const newest = [...ledger.releases].reverse().find((r) => r.outcome === 'succeeded')
  const details = newest && immutableDetails(newest)
  if (!newest || !details || details.warmEnded) return undefined
  const warm = details.retired?.warm
  if (!warm) return undefined
  return {release: newest, warm: {releaseId: newest.id, group: warm.group, until: warm.until}}
}

export function warmPeriodOver(warm: WarmGroup, now: number): boolean {
  return Date.parse(warm.until) <= now
}

/**
 * Scales the target's warm group to zero if its period is over (`now`, the account's clock, the one
 * `until` was set on), and records that in the ledger. Call it only while holding the target's lease,
 * with the workspace whose writes the lease fences. Never scales down a group attached to a traffic
 * source, nor one the release in progress on the target uses.
 */
export async function endWarmPeriod(ws: Workspace, fleet: FleetPort, target: string, now: number): Promise<WarmEnd | undefined> {
  const ledger = await ws.ledger.read(target)
  const kept = warmRelease(ledger)
  if (!kept || !warmPeriodOver(kept.warm, now)) return undefined
  const {release: record, warm: {group, until}} = kept
  if (usedByUnfinished(ledger.releases.at(-1), group)) return {group, until, done: 'inUse'}
  const outcome = await scaleToZeroUnlessServing(fleet, group)
  if (outcome.attachedTo.length > 0) return {group, until, done: 'attached', attachedTo: outcome.attachedTo}
  const how = outcome.scaled ? 'scaledToZero' : 'alreadyDown'
  await ws.ledger.update(target, record.id, {details: {...record.details, warmEnded: {at: new Date(now).toISOString(), how}}})
  return {group, until, done: how}
}

/** The sentence for a warm period's end, for the live view and `release tidy`. */
export function warmEndText(target: string, end: WarmEnd): string {
  switch (end.done) {
    case 'scaledToZero':
      return `${target}: the warm period of ${end.group} ended at ${end.until}; scaled it to zero (its stack is kept for a rollback)`
    case 'alreadyDown':
      return `${target}: the warm period of ${end.group} ended at ${end.until}; it was already scaled down`
    case 'attached':
      return `${target}: the warm period of ${end.group} ended at ${end.until}, but it is attached to ${end.attachedTo.join(', ')}, so it may serve: left as it is. Detach it if it should not serve, then run release tidy ${target}`
    case 'inUse':
      return `${target}: the warm period of ${end.group} ended at ${end.until}, but the release in progress uses it: left as it is`
  }
}

function usedByUnfinished(newest: ReleaseRecord | undefined, group: string): boolean {
  if (!newest || (newest.outcome !== 'inProgress' && newest.outcome !== 'paused')) return false
  const details = immutableDetails(newest)
  return details?.group === group || details?.oldGroup === group
}
