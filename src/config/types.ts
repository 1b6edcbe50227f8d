import type {ImmutableGate} from '../../machines/immutable.js'
import type {IncrementalGate} from '../../machines/incremental.js'
import type {ImmutableSettings} from '../../strategies/immutable/deps.js'
import type {Amount, ChangeSettings, FleetSelector, IncrementalSettings} from '../../strategies/incremental/deps.js'
import type {DurableResource, StrategyName} from '../../strategies/choose.js'
import type {ReleaseYml, SimulatedOutput} from './schema/index.js'
import type {NotifyDestination} from './schema/notify.js'
export type {NotifyDestination} from './schema/notify.js'

/**
 * release.yml, validated and with every default filled in: the schema's output (schema/*.ts)
 * resolved by resolve.ts into the settings the strategies take.
 */
export interface ReleaseConfig {
  /** Absolute path of the config file. */
  file: string
  /** Absolute directory of the config file; relative paths in it are resolved from here. */
  dir: string
  account: ReleaseYml['account']
  region: string
  /** Absolute. */
  stateDir: string
  /** Where the state is kept (state:). */
  state: StateConfig
  simulated: SimulatedConfig
  targets: Record<string, TargetConfig>
  /**
   * The top-level `notify:`. Each target's `notify` starts with these, then has its own (resolve.ts); a
   * named environment with its own `notify` replaces these there (environment-signals.ts).
   */
  notify?: NotifyDestination[]
  /**
   * `environments:` as written (absent: one implicit environment, state and resources named as
   * before environments existed). A command works on one of them: see forEnvironment.
   */
  environments?: Record<string, EnvironmentConfig>
  /** The environment this config was narrowed to by forEnvironment (absent: the implicit one). */
  environment?: string
  /** `ephemeral:`: how on-demand copies (`release env create`) differ from their source. */
  ephemeral?: EphemeralConfig
  /**
   * The top-level region when forEnvironment chose another (the environment's): the simulated
   * account answers for each region with its own resources, kept apart from the top-level one.
   */
  homeRegion?: string
  /**
   * Targets left out because their template could not be read or parsed: only a read-only command
   * (status, history, locks) loads a config that way, so that in an incident one broken template
   * does not hide what is live on the others.
   */
  unreadable?: {target: string; problem: string}[]
}

/** `simulated:` as its schema reads it (src/config/schema/simulated.ts), `dir` made absolute. */
export type SimulatedConfig = Omit<SimulatedOutput, 'dir'> & {dir: string}

/** `state:` (src/config/schema/state.ts): the file backend in stateDir, or a DynamoDB table. */
export type StateConfig = {backend: 'file'} | {backend: 'dynamodb'; table: string; region: string; endpoint?: string}
export type SimulatedFleet = SimulatedConfig['fleets'][string]
export type SimulatedDocument = SimulatedConfig['documents'][string]

/** Which strategy a target is released with, and why: shown by `release plan`, kept in the ledger. */
export interface StrategyChoice {
  /** As written in release.yml. */
  declared: StrategyName | 'auto'
  /** What the target runs with: `declared`, or for auto what chooseStrategy decided. */
  strategy: StrategyName
  /** "declared in release.yml", or chooseStrategy's reason for auto. */
  reason: string
  /** What the target's template holds that outlives a stack (empty without a template). */
  durable: DurableResource[]
}

export type TargetConfig = ImmutableTargetConfig | IncrementalTargetConfig

/**
 * An immutable target as release.yml declares it, resolved. The strategy's settings are built from it
 * in one place (settingsFor in src/app/kinds/immutable.ts).
 */
export interface ImmutableTargetConfig {
  name: string
  strategy: 'immutable'
  /** Absolute. */
  templatePath: string
  templateBody: string
  versionParameter: string
  parameters: Record<string, string>
  trafficSources: string[]
  /** Previous stacks kept scaled to zero for a rollback without a new stack. */
  retain: number
  /** How long the old group stays serving-ready after a success (0: scaled to zero at once). */
  keepWarmMs: number
  bakeMs: number
  verify?: {commands: string[]}
  timeouts: ImmutableSettings['timeouts']
  /** 1-based line of the target's key in release.yml, for messages. */
  line: number
  /** Shell lines printing the version an instance runs (`current:`): drift reads the live group's instances with them; absent: not read. */
  current?: string[]
  /** Set to release a template holding durable resources red/black anyway (they are replaced each release). */
  allowDurableReplacement: boolean
  /** Where a release waits for `release promote` or `release abort` (paused, exit 10). */
  gates: ImmutableGate[]
  /** CloudWatch alarm names that count as the target's health while a release can go back. */
  alarms: string[]
  /** What a rollout does when what is live has drifted: say so (warn) or stop with exit 2 (refuse). */
  drift: 'warn' | 'refuse'
  /** Where its releases are told: release.yml's top-level notify, then the target's own. */
  notify: NotifyDestination[]
  choice: StrategyChoice
  /** The environments it exists in (`environments:` of the target); absent: all. */
  environments?: string[]
  /**
   * The name its resources carry in the account (stack tags, Parameter Store names): `<env>-<name>`
   * in a named environment, so two environments never touch each other's; absent: the name.
   */
  resourceName?: string
}

/**
 * An incremental target as release.yml declares it (strategy incremental, or auto resolved to it). The
 * strategy's settings are built from it in one place (settingsFor in src/app/kinds/incremental.ts).
 */
export interface IncrementalTargetConfig {
  name: string
  strategy: 'incremental'
  fleet: FleetSelector
  change: ChangeSettings
  maxUnavailable: Amount
  canary: number
  maxErrors: Amount
  bakeMs: number
  timeouts: IncrementalSettings['timeouts']
  /** Not a release.yml key: bench/incremental.ts sets it to compare window policies (IncrementalSettings.windowPolicy). */
  windowPolicy?: IncrementalSettings['windowPolicy']
  /** 1-based line of the target's key in release.yml, for messages. */
  line: number
  /** Where a release waits for `release promote` or `release abort` (paused, exit 10). */
  gates: IncrementalGate[]
  /** CloudWatch alarm names that count as the target's health while a release can go back. */
  alarms: string[]
  /** What a rollout does when what is live has drifted: say so (warn) or stop with exit 2 (refuse). */
  drift: 'warn' | 'refuse'
  /** Where its releases are told: release.yml's top-level notify, then the target's own. */
  notify: NotifyDestination[]
  /** Absolute; set when release.yml names a template (always for auto). Never deployed: read by `release plan`. */
  templatePath?: string
  templateBody?: string
  choice: StrategyChoice
  /** The environments it exists in (`environments:` of the target); absent: all. */
  environments?: string[]
  /**
   * The name its resources carry in the account (stack tags, Parameter Store names): `<env>-<name>`
   * in a named environment, so two environments never touch each other's; absent: the name.
   */
  resourceName?: string
  /** A State Manager association keeps the live version on the fleet on this schedule (src/app/enforce.ts). */
  enforce?: {schedule: string}
}

/** One environment of `environments:` (src/config/schema/environments.ts). */
export interface EnvironmentConfig {
  name: string
  /** The environment's region, else the top-level one. */
  region: string
  protected: boolean
  default: boolean
  /** What differs per target here; absent keys are taken from the target (alarms and notify are added to it). */
  targets: Record<string, EnvironmentTargetConfig>
  /** Alarms of every target here, added to each target's own. */
  alarms?: string[]
  /** Where this environment's releases are told instead of the top-level `notify` (absent: the top-level one). */
  notify?: NotifyDestination[]
  /** An on-demand copy: the environment it was made from (whose target list it keeps). */
  source?: string
  /** An on-demand copy: the targets it was made with (the others do not exist there). */
  only?: string[]
}

export type EnvironmentTargetConfig = {parameters?: Record<string, string>; fleet?: IncrementalTargetConfig['fleet']; gates?: string[]; trafficSources?: string[]; alarms?: string[]; notify?: NotifyDestination[]}

/** `ephemeral:` (src/config/schema/ephemeral.ts). */
export interface EphemeralConfig {
  /** The TTL of a copy made without --ttl. */
  ttlMs: number
  targets: Record<string, EnvironmentTargetConfig>
  /** USD per instance-hour by instance type, over the built-in table. */
  prices: Record<string, number>
}
