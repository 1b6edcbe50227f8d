/**
 * `release tidy`: ends the keepWarm periods that are over, for a scheduled CI job, since no process
 * runs between releases to keep time (src/app/warm.ts). Each target is tidied under its lease.
 */
import {targetOrError} from '../config/targets.js'
import type {TargetConfig} from '../config/types.js'
import {acquireLease, LockedError} from '../engine/lease.js'
import {openAccount, type Account, type AccountOverrides} from './account.js'
import {LeaseWatch} from './lease-watch.js'
import {leaseTtlMs} from './lease-ttl.js'
import {held} from './lease-wiring.js'
import {endWarmPeriod, warmEndText, warmGroupOf, type WarmEnd} from './warm.js'
import type {Workspace} from './workspace.js'

export interface TidyResult {
  target: string
  /** What was found and done; null when the target had nothing warm whose period is over. */
  ended: WarmEnd | null
  /** Set when the target was locked: the release holding it ends the period itself. */
  skipped: string | null
  /** The warm group whose period is not over yet, and until when. */
  warmUntil: string | null
  message: string
}

/** What `release tidy` uses as the lease's release id, so that `release locks` shows who holds it. */
export const TIDY_HOLDER = 'tidy'

export async function tidy(ws: Workspace, request: {target?: string}, overrides: AccountOverrides = {}): Promise<TidyResult[]> {
  const targets = request.target ? [targetOrError(ws.config, request.target)] : Object.values(ws.config.targets)
  const results: TidyResult[] = []
  let account: Account | undefined
  for (const target of targets) {
    const warm = target.strategy === 'immutable' ? warmGroupOf(await ws.ledger.read(target.name)) : undefined
    if (!warm) {
      results.push({target: target.name, ended: null, skipped: null, warmUntil: null, message: `${target.name}: no group kept warm`})
      continue
    }
    // The account is opened only when a group is warm: a tidy with nothing to do calls no AWS API.
    account ??= await openAccount(ws.config, overrides)
    results.push(await tidyTarget(ws, account, target))
  }
  return results
}

async function tidyTarget(ws: Workspace, account: Account, target: TargetConfig): Promise<TidyResult> {
  const base = {target: target.name, ended: null, skipped: null, warmUntil: null}
  let lease
  try {
    lease = await acquireLease(ws.store, target.name, {releaseId: TIDY_HOLDER, ttlMs: leaseTtlMs(), now: ws.now})
  } catch (error) {
    if (!(error instanceof LockedError)) throw error
    const skipped = `locked by ${error.lease.holder} for ${error.lease.releaseId}`
    return {...base, skipped, message: `${target.name}: skipped, ${skipped}; that release ends a warm period that is over itself`}
  }
  try {
    const own = held(ws, new LeaseWatch(ws.store, lease))
    const ended = await endWarmPeriod(own, account.fleet, target.name, account.clock.now())
    if (ended) return {...base, ended, message: warmEndText(target.name, ended)}
    const warm = warmGroupOf(await own.ledger.read(target.name))
    return {...base, warmUntil: warm?.until ?? null, message: warm ? `${target.name}: ${warm.group} stays warm until ${warm.until}` : `${target.name}: no group kept warm`}
  } finally {
    await lease.release()
  }
}
