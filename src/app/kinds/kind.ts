/**
 * What differs between strategies when the app runs a release: the machine, its input, the checks
 * that refuse bad input before anything changes, and how its context reads in the ledger and in the
 * final message. src/app/release.ts runs any of them the same way.
 */
import type {AnyStateMachine} from 'xstate'
import type {ReleaseRecord} from '../../engine/ledger.js'
import type {ProgressSink, StrategyName} from '../../ports/release.js'
import type {Account} from '../account.js'
import type {Workspace} from '../workspace.js'

export interface RunContext {
  ws: Workspace
  account: Account
  record: ReleaseRecord
  report: ProgressSink
}

/** What a person asked of one release beyond target and version (flags of rollout and rollback). */
export interface ReleaseOptions {
  /** A group serving the traffic sources that the ledger does not know, taken over as the old group. */
  adopt?: {group: string; version: string} | null
  /** `rollback --emergency`: no bake, no gates. */
  emergency?: boolean
}

export interface ReleaseKind {
  strategy: StrategyName
  /** The static definition, whose id a persisted snapshot must match. */
  machine: AnyStateMachine
  machineVersion: string
  /** Refuses what the account would refuse, before anything changes (exit 2). */
  preflight(account: Account, version: string): Promise<void>
  /** The input of a fresh run. */
  input(ws: Workspace, record: ReleaseRecord, options?: ReleaseOptions): Promise<unknown>
  /** The machine with its steps bound to the account. */
  bind(run: RunContext): AnyStateMachine
  /** What the ledger keeps of a context. */
  details(context: unknown): Record<string, unknown>
  /** The sentence the release ends with. */
  summarize(record: ReleaseRecord, outcome: string, context: unknown): string
}
