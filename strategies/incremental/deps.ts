import type {Clock} from '../../src/ports/clock.js'
import type {CommandPort} from '../../src/ports/commands.js'
import type {FleetPort} from '../../src/ports/fleet.js'
import type {ParameterPort} from '../../src/ports/parameters.js'
import type {ProgressSink} from '../../src/ports/release.js'
import type {TargetGroupPort} from '../../src/ports/targets.js'

/** A number of instances, absolute or as a share of the fleet (rounded down, at least 1 where a window needs one). */
export type Amount = {count: number} | {percent: number}

/** The fleet an incremental target changes in place. */
export type FleetSelector =
  /** Every instance of an Auto Scaling group; those in a group with traffic sources go to Standby while they change. */
  | {group: string}
  /** Managed instances carrying all these EC2 tags, found through Systems Manager. */
  | {tags: Record<string, string>}

/** How an instance is changed and checked, through Systems Manager Run Command. */
export interface ChangeSettings {
  /** `AWS-RunShellScript` (apply/verify/current are shell lines) or a custom document. */
  document: string
  /** Shell lines run to put `{{version}}` on the instance (AWS-RunShellScript). */
  apply: string[]
  /** Shell lines that exit non-zero when the instance is not right (AWS-RunShellScript); may be empty. */
  verify: string[]
  /** Shell lines printing the instance's current version (planning records it for the rollback); may be empty. */
  current: string[]
  /** With a custom document: the parameter that receives the version. */
  versionParameter?: string
  /** With a custom document: its other parameters. */
  parameters: Record<string, string[]>
}

export interface IncrementalSettings {
  target: string
  fleet: FleetSelector
  change: ChangeSettings
  /** The window: never more instances out of service at once. */
  maxUnavailable: Amount
  /** Instances changed first, alone, before the rest of the fleet. */
  canary: number
  /** Failed instances tolerated before the release rolls back (0: the first failure rolls back). */
  maxErrors: Amount
  bakeMs: number
  timeouts: {standbyMs: number; applyMs: number; verifyMs: number; healthMs: number}
  /** How often steps look at the account while they wait; the window's prior before it learns when to look. */
  pollIntervalMs: number
  /**
   * The window's look planner (poll-plan.ts): the gap between full looks aimed at for a window of 100.
   * Not a release.yml key: the benchmarks vary it to print the frontier.
   */
  poll?: {gapMs?: number}
  /**
   * `sliding` (the default): a new instance starts as soon as one finishes. `fixed`: the next batch
   * starts only when the whole window is done, as CodeDeploy-style batches do; kept for comparison in
   * the benchmarks.
   */
  windowPolicy?: 'sliding' | 'fixed'
}

export interface IncrementalDeps {
  fleet: FleetPort
  commands: CommandPort
  parameters: ParameterPort
  /**
   * Target health as the load balancer sees it: an instance back from Standby is done when it is
   * healthy in every target group of its group. Without it, the group's InService and Healthy.
   */
  targets?: TargetGroupPort
  clock: Clock
  report: ProgressSink
  settings: IncrementalSettings
}

/** The window an Amount means: a percent of a small fleet still lets one instance change at a time. */
export function windowSize(amount: Amount, total: number): number {
  return Math.min(total, 'count' in amount ? amount.count : Math.max(1, resolveAmount(amount, total)))
}

/** The size an Amount means for a fleet of `total` instances. */
export function resolveAmount(amount: Amount, total: number): number {
  return 'count' in amount ? amount.count : Math.floor((amount.percent / 100) * total)
}
