/** `release locks` and `release unlock`: see and break the lease locks of targets. */
import {targetOrError} from '../config/targets.js'
import {forceUnlock, isStale, listLeases, type ForceUnlockOptions, type Unlocked} from '../engine/lease.js'
import {UserError} from '../errors.js'
import type {LeaseRecord} from '../engine/lease.js'
import type {Workspace} from './workspace.js'

export interface LockView extends LeaseRecord {
  /** Expired, or its holder ran on this host and is gone: the next release takes it over by itself. */
  stale: boolean
}

export async function locksOf(ws: Workspace): Promise<LockView[]> {
  return (await listLeases(ws.store)).map((lease) => ({...lease, stale: isStale(lease, ws.now())}))
}

/**
 * `unlock` without --force: says who holds the lock (E_NOT_LOCKED when nobody) and refuses with the
 * command that breaks it, changing nothing. Breaking a lease is a person's decision that its holder
 * is gone; the holder's name is what they need to make it.
 */
export async function refuseUnforced(ws: Workspace, targetName: string): Promise<never> {
  const target = targetOrError(ws.config, targetName)
  const lock = (await locksOf(ws)).find((l) => l.target === target.name)
  if (!lock) throw new UserError('E_NOT_LOCKED', `${target.name} is not locked`, 'see release locks')
  const state = lock.stale ? 'stale: the next release takes it over by itself' : `expires ${lock.expires}`
  throw new UserError(
    'E_FORCE_REQUIRED',
    `${target.name} is locked by ${lock.holder} for ${lock.releaseId} since ${lock.since} (${state}); nothing was changed`,
    `if that holder is gone, run: release unlock ${target.name} --force`,
  )
}

/**
 * Breaks a target's lease, unless its holder still runs on this host (E_HOLDER_ALIVE, exit 4). A
 * damaged lease is removed and said so. The release it belonged to is left as the ledger has it: if
 * it was interrupted, `release resume` continues it.
 */
export async function unlock(
  ws: Workspace,
  targetName: string,
  options: ForceUnlockOptions = {},
): Promise<Unlocked & {target: string; interrupted: string | null}> {
  const target = targetOrError(ws.config, targetName)
  const unlocked = await forceUnlock(ws.store, target.name, {now: ws.now, ...options})
  if (!unlocked) {
    throw new UserError('E_NOT_LOCKED', `${target.name} is not locked`, `see release locks`)
  }
  const current = await ws.ledger.current(target.name)
  return {...unlocked, target: target.name, interrupted: current?.outcome === 'inProgress' ? current.id : null}
}
