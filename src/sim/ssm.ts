import type {
  Command,
  CommandInvocation,
  CommandInvocationStatus,
  CommandPluginStatus,
  CommandStatus,
  GetCommandInvocationRequest,
  GetCommandInvocationResult,
  ListCommandInvocationsRequest,
  ListCommandInvocationsResult,
  ListCommandsRequest,
  ListCommandsResult,
  SendCommandRequest,
  SendCommandResult,
} from '@aws-sdk/client-ssm'
import {ssmErrors as errors, UnsupportedCommandError} from './errors.js'
import {isManaged, isTerminal, startInvocations} from './invocations.js'
import type {Model} from './model.js'
import {page, pageSize} from './paging.js'
import type {CommandRecord, InvocationRecord} from './types.js'

/** The Systems Manager Run Command API of the simulated account (AWS-RunShellScript only). */

const DOCUMENT = 'AWS-RunShellScript'
const PLUGIN = 'aws:runShellScript'
const DOCUMENT_PARAMETERS = new Set(['commands', 'workingDirectory', 'executionTimeout'])
const COMMAND_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function commandStatus(command: CommandRecord): CommandStatus {
  const invocations = command.invocations
  if (invocations.every((invocation) => invocation.status === 'Pending')) return 'Pending'
  if (!invocations.every(isTerminal)) return 'InProgress'
  return invocations.every((invocation) => invocation.status === 'Success') ? 'Success' : 'Failed'
}

function commandShape(command: CommandRecord): Command {
  const status = commandStatus(command)
  const done = command.invocations.filter(isTerminal)
  return {
    CommandId: command.id,
    DocumentName: command.documentName,
    DocumentVersion: '$DEFAULT',
    Comment: command.comment ?? '',
    ExpiresAfter: new Date(command.requestedAt + command.timeoutSeconds * 1000),
    Parameters: structuredClone(command.parameters),
    InstanceIds: [...command.instanceIds],
    Targets: [],
    RequestedDateTime: new Date(command.requestedAt),
    Status: status,
    StatusDetails: status,
    MaxConcurrency: '50',
    MaxErrors: '0',
    TargetCount: command.instanceIds.length,
    CompletedCount: done.length,
    // Undeliverable invocations do not count as errors in SSM.
    ErrorCount: done.filter((invocation) => invocation.status === 'Failed' && invocation.details !== 'Undeliverable').length,
    DeliveryTimedOutCount: 0,
    ServiceRole: '',
    NotificationConfig: {NotificationArn: '', NotificationEvents: [], NotificationType: undefined},
    CloudWatchOutputConfig: {CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false},
    TimeoutSeconds: command.timeoutSeconds,
  }
}

function requireCommand(model: Model, commandId: string | undefined): CommandRecord {
  const command = commandId && COMMAND_ID.test(commandId) ? model.state.commands.find((entry) => entry.id === commandId) : undefined
  if (!command) throw errors.invalidCommandId()
  return command
}

function sendCommand(model: Model, input: SendCommandRequest): SendCommandResult {
  if (input.DocumentName !== DOCUMENT) {
    throw errors.invalidDocument(`Document ${input.DocumentName ?? 'null'} does not exist in the simulated account (only ${DOCUMENT})`)
  }
  if (input.Targets && input.Targets.length > 0) {
    throw errors.validation('Targets are not supported by the simulated account: pass InstanceIds')
  }
  const instanceIds = [...new Set(input.InstanceIds ?? [])]
  if (instanceIds.length === 0) throw errors.validation('Please specify either instance ids or targets.')
  if (instanceIds.length > 50) {
    throw errors.validation(
      `1 validation error detected: Value '[${instanceIds.join(', ')}]' at 'instanceIds' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 50',
    )
  }
  const invalid = instanceIds.filter((id) => !isManaged(model.state.instances[id]))
  if (invalid.length > 0) {
    throw errors.invalidInstanceId(`Instances [[${invalid.join(', ')}]] not in a valid state for account ${model.state.accountId}`)
  }
  const parameters = input.Parameters ?? {}
  for (const name of Object.keys(parameters)) {
    if (!DOCUMENT_PARAMETERS.has(name)) throw errors.invalidParameters(`Parameter "${name}" is not defined in document ${DOCUMENT}.`)
  }
  if (!parameters['commands'] || parameters['commands'].length === 0) {
    throw errors.invalidParameters(`Parameters required: commands (document ${DOCUMENT}).`)
  }
  const command: CommandRecord = {
    id: model.random.uuid(),
    documentName: DOCUMENT,
    comment: input.Comment,
    parameters: structuredClone(parameters),
    instanceIds,
    requestedAt: model.now,
    timeoutSeconds: input.TimeoutSeconds ?? 3600,
    invocations: [],
  }
  model.state.commands.push(command)
  startInvocations(model, command)
  return {Command: commandShape(command)}
}

function pluginShape(invocation: InvocationRecord) {
  return {
    Name: PLUGIN,
    Status: invocation.status as CommandPluginStatus,
    StatusDetails: invocation.details,
    ResponseCode: invocation.responseCode,
    ResponseStartDateTime: invocation.startedAt === undefined ? undefined : new Date(invocation.startedAt),
    ResponseFinishDateTime: invocation.endedAt === undefined ? undefined : new Date(invocation.endedAt),
    Output: invocation.output + invocation.error,
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    OutputS3BucketName: '',
    OutputS3KeyPrefix: '',
  }
}

function invocationShape(command: CommandRecord, invocation: InvocationRecord, details: boolean): CommandInvocation {
  return {
    CommandId: command.id,
    InstanceId: invocation.instanceId,
    InstanceName: '',
    Comment: command.comment ?? '',
    DocumentName: command.documentName,
    DocumentVersion: '$DEFAULT',
    RequestedDateTime: new Date(command.requestedAt),
    Status: invocation.status as CommandInvocationStatus,
    StatusDetails: invocation.details,
    TraceOutput: '',
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    CommandPlugins: details ? [pluginShape(invocation)] : [],
    ServiceRole: '',
    NotificationConfig: {NotificationArn: '', NotificationEvents: [], NotificationType: undefined},
    CloudWatchOutputConfig: {CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false},
  }
}

function listCommandInvocations(model: Model, input: ListCommandInvocationsRequest): ListCommandInvocationsResult {
  const commands = input.CommandId ? [requireCommand(model, input.CommandId)] : [...model.state.commands].reverse()
  const rows = commands.flatMap((command) =>
    command.invocations
      .filter((invocation) => !input.InstanceId || invocation.instanceId === input.InstanceId)
      .map((invocation) => ({command, invocation})),
  )
  const {items, nextToken} = page(rows, input.NextToken, pageSize(input.MaxResults, 50, 50), errors.invalidNextToken)
  return {
    CommandInvocations: items.map(({command, invocation}) => invocationShape(command, invocation, input.Details === true)),
    NextToken: nextToken,
  }
}

function elapsed(invocation: InvocationRecord, now: number): string {
  if (invocation.startedAt === undefined) return ''
  return `PT${((invocation.endedAt ?? now) - invocation.startedAt) / 1000}S`
}

function getCommandInvocation(model: Model, input: GetCommandInvocationRequest): GetCommandInvocationResult {
  const command = requireCommand(model, input.CommandId)
  const invocation = command.invocations.find((entry) => entry.instanceId === input.InstanceId)
  if (!invocation || model.now < invocation.visibleAt) throw errors.invocationDoesNotExist()
  if (input.PluginName && input.PluginName !== PLUGIN) throw errors.invocationDoesNotExist()
  return {
    CommandId: command.id,
    InstanceId: invocation.instanceId,
    Comment: command.comment ?? '',
    DocumentName: command.documentName,
    DocumentVersion: '$DEFAULT',
    PluginName: PLUGIN,
    ResponseCode: invocation.responseCode,
    ExecutionStartDateTime: invocation.startedAt === undefined ? '' : new Date(invocation.startedAt).toISOString(),
    ExecutionElapsedTime: elapsed(invocation, model.now),
    ExecutionEndDateTime: invocation.endedAt === undefined ? '' : new Date(invocation.endedAt).toISOString(),
    Status: invocation.status as CommandInvocationStatus,
    StatusDetails: invocation.details,
    StandardOutputContent: invocation.output,
    StandardOutputUrl: '',
    StandardErrorContent: invocation.error,
    StandardErrorUrl: '',
    CloudWatchOutputConfig: {CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false},
  }
}

function listCommands(model: Model, input: ListCommandsRequest): ListCommandsResult {
  const commands = (input.CommandId ? [requireCommand(model, input.CommandId)] : [...model.state.commands].reverse()).filter(
    (command) => !input.InstanceId || command.instanceIds.includes(input.InstanceId),
  )
  const {items, nextToken} = page(commands, input.NextToken, pageSize(input.MaxResults, 50, 50), errors.invalidNextToken)
  return {Commands: items.map(commandShape), NextToken: nextToken}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const COMMANDS: Record<string, (model: Model, input: any) => object> = {
  SendCommand: sendCommand,
  ListCommandInvocations: listCommandInvocations,
  GetCommandInvocation: getCommandInvocation,
  ListCommands: listCommands,
}

export function handleSsm(model: Model, command: string, input: unknown): object {
  const handler = COMMANDS[command]
  if (!handler) throw new UnsupportedCommandError('ssm', command, Object.keys(COMMANDS))
  return handler(model, input ?? {})
}
