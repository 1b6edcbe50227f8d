/**
 * How a release is wired to its lease: the workspace whose writes the lease fences, the account's
 * clock that watches the lease and the rollback triggers, and the triggers that note in the journal
 * why a release stops.
 */
import {appendJournal, sharedJournal} from '../engine/journal.js'
import {fencedStore} from '../engine/fenced.js'
import {LeaseLostError, type Lease} from '../engine/lease.js'
import {Ledger} from '../engine/ledger.js'
import {releaseIdPrefix} from '../engine/release-id.js'
import type {AccountOverrides} from './account.js'
import type {StrategyRunner} from './kinds/index.js'
import type {LeaseWatch} from './lease-watch.js'
import {Triggers} from './triggers.js'
import type {Workspace} from './workspace.js'

export const isLeaseLost = (error: unknown) => error instanceof LeaseLostError

/**
 * Gives the lease back as a release ends, however it ends. One the state store will not take back
 * (its credentials expired too) expires on its own: the error that stopped the release is the one to tell.
 */
export function giveBack(lease: Lease): Promise<boolean> {
  return lease.release().catch(() => false)
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
export function watched(overrides: AccountOverrides, watch: LeaseWatch, triggers: Triggers): AccountOverrides {
  const inner = overrides.wrapClock
  return {...overrides, wrapClock: (clock) => triggers.clock(watch.clock(inner ? inner(clock) : clock))}
}

/** The rollback triggers of a release of this strategy, noting in its journal why it stops. */
export function triggersFor(ws: Workspace, runner: StrategyRunner): Triggers {
  return new Triggers({
    store: ws.store,
    stopSteps: runner.stopSteps,
    journal: sharedJournal(ws.store, ws.now),
    note: async (releaseId, message) => {
      await appendJournal(ws.store, releaseId, {type: 'note', message, now: ws.now})
    },
  })
}
