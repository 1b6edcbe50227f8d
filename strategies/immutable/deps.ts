import type {Clock} from '../../src/ports/clock.js'
import type {CommandPort} from '../../src/ports/commands.js'
import type {FleetPort} from '../../src/ports/fleet.js'
import type {ProgressSink} from '../../src/ports/release.js'
import type {StackPort} from '../../src/ports/stacks.js'
import type {TargetGroupPort} from '../../src/ports/targets.js'

/** What the immutable strategy needs to know about its target (mapped from release.yml by the app). */
export interface ImmutableSettings {
  target: string
  templateBody: string
  /** HealthCheckType of the template's Auto Scaling group, for saying what would catch a bad version. */
  healthCheckType?: string
  versionParameter: string
  parameters: Record<string, string>
  trafficSources: string[]
  /** Previous stacks kept scaled to zero for a rollback without a new stack. */
  retain: number
  /**
   * How long the group that served until now stays serving-ready (detached, not scaled to zero) after
   * a success, so that a rollback in that window is one traffic switch. 0 or absent: scaled to zero.
   */
  keepWarmMs?: number
  bakeMs: number
  verify?: {commands: string[]}
  timeouts: {provisionMs: number; capacityMs: number; verifyMs: number; shiftMs: number; retireMs: number}
  /** How often steps look at the account while they wait. */
  pollIntervalMs: number
}

export interface ImmutableDeps {
  stacks: StackPort
  fleet: FleetPort
  commands: CommandPort
  /** Target health as the load balancer sees it; without it, readiness is the traffic source state alone. */
  targets?: TargetGroupPort
  clock: Clock
  report: ProgressSink
  settings: ImmutableSettings
}

/** Tags that tie a stack to its target and release, so that planning and retiring find them in the account. */
export const TAG = {
  target: 'release:target',
  version: 'release:version',
  releaseId: 'release:id',
  nonce: 'release:nonce',
} as const

/** One stack per release; CloudFormation names allow letters, digits and hyphens, as release ids do. */
export function stackNameFor(releaseId: string): string {
  return `release-${releaseId}`
}

/**
 * Deterministic ClientRequestToken per release and step: a re-run step re-attaches instead of acting
 * twice. The nonce keeps two releases that got the same id (a lost ledger) apart.
 */
export function tokenFor(release: {releaseId: string; nonce: string}, step: string): string {
  return `${release.releaseId}-${release.nonce}-${step}`
}
