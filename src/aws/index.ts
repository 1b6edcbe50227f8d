/** Adapters of the ports on AWS SDK v3 clients; with src/sim, the only code that imports @aws-sdk/*. */
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
export {CloudWatchAlarms, awsCloudWatchClient, type CloudWatchAlarmsOptions, type CloudWatchClientFactory} from './alarms.js'
export {awsSnsClient, awsEventBridgeClient, publishToTopic, putEvent, type SnsClientFactory, type EventBridgeClientFactory} from './notices.js'
export {SsmAssociations, type SsmAssociationsOptions} from './associations.js'
