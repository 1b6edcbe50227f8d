/**
 * What differs between strategies when the app runs a release: the machine, its input, the checks
 * that refuse bad input before anything changes, and how its context reads in the ledger and in the
 * final message. src/app/drive-release.ts runs any of them the same way.
 */
import type {AnyStateMachine} from 'xstate'
import type {ReleaseRecord} from '../../engine/ledger.js'
import type {ReleaseDetails} from '../../engine/release-details.js'
import type {ProgressSink, StrategyName} from '../../ports/release.js'
import type {StepHook} from '../../util/step-hook.js'
import type {Account} from '../account.js'
import type {Workspace} from '../workspace.js'

export interface RunContext {
  ws: Workspace
  account: Account
  record: ReleaseRecord
  report: ProgressSink
  /** Runs as each step starts: a release a person asked to stop stops there. */
  atStep?: StepHook
}

/**
 * The steps (actor names) during which the release can still go back: a person's abort and the
 * target's alarms stop it there and take it back the way a failure would.
 */
export interface StopSteps {
  /** Where `release abort` of a running release takes effect. */
  abort: readonly string[]
  /** Where an alarm of the target in ALARM fails the release. */
  alarms: readonly string[]
}

/** What a person asked of one release beyond target and version (flags of rollout and rollback). */
export interface ReleaseOptions {
  /** A group serving the traffic sources that the ledger does not know, taken over as the old group. */
  adopt?: {group: string; version: string} | null
  /** `rollback --emergency`: no bake, no gates. */
  emergency?: boolean
}

export interface StrategyRunner {
  strategy: StrategyName
  /** The static definition, whose id a persisted snapshot must match. */
  machine: AnyStateMachine
  machineVersion: string
  stopSteps: StopSteps
  /** Refuses what the account would refuse, before anything changes (exit 2). */
  preflight(account: Account, version: string): Promise<void>
  /** The input of a fresh run. */
  input(ws: Workspace, record: ReleaseRecord, options?: ReleaseOptions): Promise<unknown>
  /** The machine with its steps bound to the account. */
  bind(run: RunContext): AnyStateMachine
  /** What the ledger keeps of a context. */
  details(context: unknown): ReleaseDetails
  /** The sentence the release ends with. */
  summarize(record: ReleaseRecord, outcome: string, context: unknown): string
}
