/** What a release is asked to do, the hooks its caller watches it through, and what it ends with. */
import type {ReleaseRecord} from '../engine/ledger.js'
import type {Outcome, ProgressEvent, ReleaseKind} from '../ports/release.js'

export interface ReleaseRequest {
  target: string
  version: string
  kind: ReleaseKind
  /** Rollout of the version already live, on purpose (a re-release); refused without it. */
  force?: boolean
  /** A group serving the target's traffic sources that the ledger does not know, to take over. */
  adopt?: string
  /** Rollback without bake or gates. */
  emergency?: boolean
  /** Roll out although an alarm of the target is in ALARM (recorded in the journal). */
  ignoreAlarms?: boolean
  /** A converge of an incremental target: the drifted instances, the only ones it changes. */
  instances?: string[]
  /** A converge: the fleet's instances when it began, what later drift checks compare against. */
  fleet?: string[]
}

export interface ReleaseHooks {
  onStart?: (record: ReleaseRecord, how: {resumed: boolean; as?: 'resumed' | 'promoted' | 'aborted'}) => void
  onTransition?: (state: string, record: ReleaseRecord) => void
  onProgress?: (event: ProgressEvent) => void
  /**
   * Test hook: called by resume, promote and abort between their first read of the ledger and taking
   * the lease, so that a test can stall a command exactly there while another one acts.
   */
  beforeLease?: () => Promise<void>
  /** `abort` of a running release: called once its request is recorded, before it waits for the release to stop. */
  onAbortRequested?: (record: ReleaseRecord) => void
  /** How `abort` sleeps between looks at a running release (tests pass one that does not sleep in real time). */
  sleep?: (ms: number) => Promise<void>
}

export interface ReleaseResult {
  record: ReleaseRecord
  outcome: Outcome
  message: string
  exitCode: number
}
