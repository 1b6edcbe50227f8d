/**
 * What a release does under its lease before it acts, started or continued: a keepWarm period that is
 * over ends, and the live version's association (desired state) is put back if it drifted.
 */
import type {TargetConfig} from '../config/index.js'
import {LeaseLostError} from '../engine/lease.js'
import type {Account} from './account.js'
import {enforceLiveVersion, keepEnforced} from './enforce.js'
import {isLeaseLost} from './lease-wiring.js'
import type {ReleaseHooks} from './release-request.js'
import {endWarmPeriod, warmEndText} from './warm.js'
import type {Workspace} from './workspace.js'

/** `ws` is the holder's workspace (lease-wiring.ts held), as every write here is fenced by the lease. */
export async function housekeepUnderLease(ws: Workspace, account: Account, target: TargetConfig, releaseId: string, hooks: ReleaseHooks): Promise<void> {
  await endWarm(ws, account, target, releaseId, hooks)
  await keepEnforced(target, () => enforceLiveVersion(ws, account.associations, target), (message) => hooks.onProgress?.({releaseId, step: 'planning', message}), isLeaseLost)
}

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
