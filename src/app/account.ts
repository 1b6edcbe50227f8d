/**
 * The AWS account a command works on: the embedded simulated account (the default) or real AWS.
 * Both give the same ports over the same adapters; only the SDK clients differ. Loaded lazily, so
 * commands that never call AWS never load the SDK.
 */
import type {Clock} from '../ports/clock.js'
import type {CommandPort} from '../ports/commands.js'
import type {FleetPort} from '../ports/fleet.js'
import type {ParameterPort} from '../ports/parameters.js'
import type {StackPort} from '../ports/stacks.js'
import type {TargetGroupPort} from '../ports/targets.js'
import type {AlarmPort} from '../ports/alarms.js'
import type {AssociationPort} from '../ports/associations.js'
import type {NoticeOverrides} from './notices/index.js'
import type {EventBridgeClientFactory, SnsClientFactory} from '../aws/notices.js'
import type {ReleaseConfig} from '../config/index.js'
import {SIM_SPEED_RANGE} from '../config/sim-speed.js'
import type {SimAccount, SimFaults} from '../sim/index.js'
import {UserError} from '../errors.js'
import {fleetsWithVersionParameters} from './sim-fleet-parameters.js'
import {cli} from '../util/cli-context.js'

export interface Account {
  stacks: StackPort
  fleet: FleetPort
  commands: CommandPort
  parameters: ParameterPort
  targets: TargetGroupPort
  /** State Manager associations (`enforce:`). */
  associations: AssociationPort
  /** CloudWatch alarms (its SDK client is made on first use). */
  alarms: AlarmPort
  /** Clients of where notices go (each made on first use). */
  notices: {sns: SnsClientFactory; eventBridge: EventBridgeClientFactory}
  /** The clock steps wait on: virtual on the simulated account. */
  clock: Clock
  /** Present when the account is the simulated one. */
  sim?: SimAccount
}

export interface AccountOverrides {
  /** An already open simulated account (tests run a whole release in-process on it). */
  sim?: SimAccount
  /**
   * Wraps the clock the account's steps wait on: a running release watches its lease there, and tests
   * freeze a process (as a stopped or suspended one would be) without stopping the others.
   */
  wrapClock?: (clock: Clock) => Clock
  /** How notices are delivered (tests inject the clock of their timeouts and backoff). */
  notices?: NoticeOverrides
}

/** `RELEASE_SIM_SPEED` (a number or `instant`) overrides `simulated.speed` in release.yml. */
export function simSpeed(config: ReleaseConfig, env: NodeJS.ProcessEnv = cli().env): number | 'instant' {
  const fromEnv = env.RELEASE_SIM_SPEED?.trim()
  if (!fromEnv) return checkedSpeed(config.simulated.speed, `simulated.speed ${config.simulated.speed} in release.yml`)
  if (fromEnv === 'instant') return 'instant'
  const speed = Number(fromEnv)
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new UserError(
      'E_SIM_SPEED',
      `RELEASE_SIM_SPEED=${fromEnv} is neither a number above 0 nor instant`,
      'set it to a speed such as 20 (virtual seconds per real second) or to instant, or unset it',
    )
  }
  return checkedSpeed(speed, `RELEASE_SIM_SPEED=${fromEnv}`)
}

function checkedSpeed(speed: number | 'instant', what: string): number | 'instant' {
  if (speed === 'instant' || (speed >= SIM_SPEED_RANGE.min && speed <= SIM_SPEED_RANGE.max)) return speed
  throw new UserError(
    'E_SIM_SPEED',
    `${what} is outside ${SIM_SPEED_RANGE.min} to ${SIM_SPEED_RANGE.max} (virtual seconds per real second)`,
    'set a speed such as 20, or instant for no pacing at all',
  )
}

export async function openSimAccount(config: ReleaseConfig): Promise<SimAccount> {
  const [{SimAccount}, {VirtualClock, PacedClock}] = await Promise.all([
    import('../sim/index.js'),
    import('../util/clock.js'),
  ])
  const speed = simSpeed(config)
  const clock = speed === 'instant' ? new VirtualClock(Date.now()) : new PacedClock(speed)
  const account = SimAccount.open({clock, dir: simDir(config), ...simAccountSettings(config)})
  clock.catchUp(account.lastNow)
  return account
}

/**
 * Where the simulated account of the config's region lives: each region other than the top-level one
 * answers with its own resources (a recovery copy in us-west-2 shares nothing with us-east-1).
 */
export function simDir(config: Pick<ReleaseConfig, 'simulated' | 'region' | 'homeRegion'>): string {
  return config.homeRegion === undefined ? config.simulated.dir : `${config.simulated.dir}/regions/${config.region}`
}

/**
 * What release.yml says the simulated account holds, but where it lives and its clock: one source
 * for the CLI and for tests that open an account of their own (in memory, on their own clock).
 */
export function simAccountSettings(config: ReleaseConfig) {
  return {
    seed: config.simulated.seed,
    region: config.region,
    faults: config.simulated.faults as SimFaults,
    fleets: fleetsWithVersionParameters(config),
    targetGroups: configuredTargetGroups(config),
    documents: config.simulated.documents,
    alarms: configuredAlarms(config),
    ...configuredNoticeTargets(config),
  }
}

/**
 * The simulated account has the target groups release.yml names (the load balancer is set up outside
 * releases), with AWS's default health check and deregistration delay.
 */
function configuredTargetGroups(config: ReleaseConfig): Record<string, object> {
  const arns = new Set<string>()
  for (const target of Object.values(config.targets)) {
    for (const arn of (target as {trafficSources?: string[]}).trafficSources ?? []) arns.add(arn)
  }
  const settings: Record<string, object> = config.simulated.targetGroups
  for (const arn of Object.keys(settings)) arns.add(arn)
  return Object.fromEntries([...arns].filter((arn) => arn.includes(':targetgroup/')).map((arn) => [arn, settings[arn] ?? {}]))
}

/**
 * The simulated account has the alarms release.yml names (alarms are set up outside releases), each
 * watching its target: the traffic sources of an immutable one, the group of an incremental one.
 */
function configuredAlarms(config: ReleaseConfig): Record<string, {trafficSources?: string[]; groups?: string[]}> {
  const alarms: Record<string, {trafficSources: string[]; groups: string[]}> = {}
  for (const target of Object.values(config.targets)) {
    for (const name of target.alarms ?? []) {
      const alarm = (alarms[name] ??= {trafficSources: [], groups: []})
      if (target.strategy === 'immutable') alarm.trafficSources.push(...target.trafficSources)
      else if ('group' in target.fleet) alarm.groups.push(target.fleet.group)
    }
  }
  return alarms
}

/** The simulated account has the SNS topics and EventBridge buses release.yml sends notices to. */
function configuredNoticeTargets(config: ReleaseConfig): {topics: string[]; buses: string[]} {
  const destinations = Object.values(config.targets).flatMap((t) => t.notify ?? [])
  return {
    topics: [...new Set(destinations.flatMap((d) => ('sns' in d ? [d.sns] : [])))],
    buses: [...new Set(destinations.flatMap((d) => ('eventBridge' in d ? [d.eventBridge] : [])))],
  }
}

export async function openAccount(config: ReleaseConfig, overrides: AccountOverrides = {}): Promise<Account> {
  const simulated = config.account === 'simulated' || overrides.sim !== undefined
  const opened = simulated ? await simulatedClients(config, overrides.sim) : await awsClients(config)
  const {clients, sim} = opened
  const clock = overrides.wrapClock ? overrides.wrapClock(opened.clock) : opened.clock
  const {CloudFormationStacks, AutoScalingFleet, SsmCommands, SsmParameters, SsmAssociations, ElbTargetGroups, CloudWatchAlarms} = await import('../aws/index.js')
  // On the simulated account, retry jitter is seeded from the account's seed: the same seed, the same run.
  const {seededRandom} = await import('../util/random.js')
  const jitter = (service: string) => (sim ? {retry: {random: seededRandom(sim.jitterSeed(service))}} : {})
  return {
    alarms: new CloudWatchAlarms({client: opened.lazy.cloudWatch, clock, ...jitter('cloudwatch')}),
    notices: {sns: opened.lazy.sns, eventBridge: opened.lazy.eventBridge},
    stacks: new CloudFormationStacks({client: clients.cloudFormation, clock, ...jitter('cloudformation')}),
    fleet: new AutoScalingFleet({client: clients.autoScaling, clock, ...jitter('autoscaling')}),
    commands: new SsmCommands({client: clients.ssm, clock, ...jitter('ssm')}),
    parameters: new SsmParameters({client: clients.ssm, clock, ...jitter('ssm-parameters')}),
    associations: new SsmAssociations({client: clients.ssm, clock, ...jitter('ssm-associations')}),
    targets: new ElbTargetGroups({client: clients.elbv2, clock, ...jitter('elbv2')}),
    clock,
    sim,
  }
}

async function simulatedClients(config: ReleaseConfig, open?: SimAccount) {
  const sim = open ?? (await openSimAccount(config))
  const {createSimClients, simLazyClients} = await import('../sim/index.js')
  return {clients: createSimClients(sim), lazy: simLazyClients(sim), clock: sim.clock, sim}
}

async function awsClients(config: ReleaseConfig) {
  const [{createAwsClients, awsCloudWatchClient, awsSnsClient, awsEventBridgeClient}, {SystemClock}] = await Promise.all([import('../aws/index.js'), import('../util/clock.js')])
  const region = {region: config.region}
  return {
    clients: createAwsClients(region),
    lazy: {cloudWatch: awsCloudWatchClient(region), sns: awsSnsClient(region), eventBridge: awsEventBridgeClient(region)},
    clock: new SystemClock(),
    sim: undefined,
  }
}
