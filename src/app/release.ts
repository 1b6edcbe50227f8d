/**
 * Rollout, rollback, resume, promote and abort: one release of one target, whatever its strategy, from
 * the checks that refuse bad input before anything changes, through the persisted machine, to the
 * ledger's verdict. What commands and tests call; each job lives in its own file:
 *
 * - release-request.ts: what a release is asked, its hooks, its result
 * - start-release.ts: rollout, rollback (and converge's runRelease): checks, then the ledger's record
 * - continue-release.ts: resume and promote from the last snapshot
 * - abort-release.ts: abort of a paused or a running release
 * - release-to-act-on.ts: which release a command acts on, decided again under the lease
 * - drive-release.ts: the machine run to its verdict (journal, ledger, lease renewal, notices)
 * - lease-wiring.ts, release-housekeeping.ts: what the lease fences and watches; what runs under it first
 */
export type {ReleaseHooks, ReleaseRequest, ReleaseResult} from './release-request.js'
export {rollback, rollout, runRelease} from './start-release.js'
export {promote, resume} from './continue-release.js'
export {abort} from './abort-release.js'
