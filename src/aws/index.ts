import type {Clock} from '../ports/clock.js'
import type {CommandPort} from '../ports/commands.js'
import type {FleetPort} from '../ports/fleet.js'
import type {ParameterPort} from '../ports/parameters.js'
import type {StackPort} from '../ports/stacks.js'
import type {AwsClients} from './clients.js'
import {SsmCommands} from './commands.js'
import {AutoScalingFleet} from './fleet.js'
import {SsmParameters} from './parameters.js'
import type {AdapterRetryOptions} from './retrying.js'
import {CloudFormationStacks} from './stacks.js'
import {ElbTargetGroups} from './targets.js'
import type {TargetGroupPort} from '../ports/targets.js'

export {type AwsClients, type AwsClientsOptions, createAwsClients} from './clients.js'
export {
  INSTANCES_PER_COMMAND,
  INVOKED_AFTER_SLACK_MS,
  PartialSendError,
  SsmCommands,
  type SsmCommandsOptions,
} from './commands.js'
export {AutoScalingFleet, type AutoScalingFleetOptions} from './fleet.js'
export {SsmParameters, type SsmParametersOptions} from './parameters.js'
export {ElbTargetGroups, type ElbTargetGroupsOptions} from './targets.js'
export {type AdapterRetryOptions, retryingClient} from './retrying.js'
export {CloudFormationStacks, type CloudFormationStacksOptions, isStackMissing, STACK_POLL_DEFAULTS} from './stacks.js'

export interface AwsAdapters {
  stacks: StackPort
  fleet: FleetPort
  commands: CommandPort
  parameters: ParameterPort
  targets: TargetGroupPort
}

export interface AwsAdaptersOptions {
  clock: Clock
  /** Applied to each service; each adapter keeps its own budget unless one is given here. */
  retry?: Omit<AdapterRetryOptions, 'budget'>
  pollIntervalMs?: number
  maxPollIntervalMs?: number
}

/** The adapters on one set of clients (real AWS, or the simulated account's clients). */
export function createAwsAdapters(clients: AwsClients, options: AwsAdaptersOptions): AwsAdapters {
  const {clock, retry} = options
  return {
    stacks: new CloudFormationStacks({
      client: clients.cloudFormation,
      clock,
      retry,
      pollIntervalMs: options.pollIntervalMs,
      maxPollIntervalMs: options.maxPollIntervalMs,
    }),
    fleet: new AutoScalingFleet({client: clients.autoScaling, clock, retry}),
    commands: new SsmCommands({client: clients.ssm, clock, retry}),
    parameters: new SsmParameters({client: clients.ssm, clock, retry}),
    targets: new ElbTargetGroups({client: clients.elbv2, clock, retry}),
  }
}
export {CloudWatchAlarms, awsCloudWatchClient, type CloudWatchAlarmsOptions, type CloudWatchClientFactory} from './alarms.js'
export {awsSnsClient, awsEventBridgeClient, publishToTopic, putEvent, type SnsClientFactory, type EventBridgeClientFactory} from './notices.js'
