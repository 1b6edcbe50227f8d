import type {
  CancelCommandRequest,
  CancelCommandResult,
  Command,
  CommandFilter,
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
import {countBefore} from '../util/sorted.js'
import {customDocumentVersion, type DocumentSpec, validateParameters} from './documents.js'
import {ssmErrors as errors} from './errors.js'
import {cancelInvocations, isManaged, isTerminal, reported, startInvocations} from './invocations.js'
import type {Model} from './model.js'
import {maxResults, page} from './paging.js'
import {scriptLines, setsVersion} from './script.js'
import type {CommandRecord, InstanceRecord, InvocationRecord} from './types.js'

/**
 * Systems Manager Run Command: SendCommand, ListCommands (one page answers the counts of up to 50
 * commands), ListCommandInvocations, GetCommandInvocation. Commands are kept 30 days, as SSM does.
 */

const COMMAND_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const KEPT_MS = 30 * 24 * 3600 * 1000
/** SSM keeps this much of an invocation's output: in ListCommandInvocations, in GetCommandInvocation. */
const LISTED_OUTPUT = 2_500
const FETCHED_OUTPUT = 24_000
const MAX_COMMENT = 100
/** StatusDetails that are not run failures (ErrorCount): the command never reached the instance, or was cancelled. */
const NOT_ERRORS = new Set(['Undeliverable', 'InvalidPlatform', 'DeliveryTimedOut', 'Cancelled'])
const FILTER_KEYS = new Set(['InvokedAfter', 'InvokedBefore', 'Status', 'ExecutionStage', 'DocumentName'])

function commandStatus(model: Model, command: CommandRecord): CommandStatus {
  const invocations = command.invocations.map((invocation) => reported(model, invocation, 'counts'))
  if (invocations.every((invocation) => invocation.status === 'Pending')) return 'Pending'
  if (invocations.some((invocation) => invocation.status === 'Cancelling')) return 'Cancelling'
  if (!invocations.every(isTerminal)) return 'InProgress'
  if (invocations.some((invocation) => invocation.status === 'Cancelled') && invocations.every((invocation) => invocation.status === 'Success' || invocation.status === 'Cancelled')) return 'Cancelled'
  return invocations.every((invocation) => invocation.status === 'Success') ? 'Success' : 'Failed'
}

function commandShape(model: Model, command: CommandRecord): Command {
  const status = commandStatus(model, command)
  let completed = 0
  let failed = 0
  for (const invocation of command.invocations.map((entry) => reported(model, entry, 'counts'))) {
    if (!isTerminal(invocation)) continue
    completed += 1
    if (invocation.status !== 'Success' && !NOT_ERRORS.has(invocation.details)) failed += 1
  }
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
    CompletedCount: completed,
    // Undeliverable invocations do not count as errors in SSM.
    ErrorCount: failed,
    DeliveryTimedOutCount: 0,
    ServiceRole: '',
    NotificationConfig: {NotificationArn: '', NotificationEvents: [], NotificationType: undefined},
    CloudWatchOutputConfig: {CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false},
    TimeoutSeconds: command.timeoutSeconds,
  }
}

function requireCommand(model: Model, commandId: string | undefined): CommandRecord {
  const command = commandId && COMMAND_ID.test(commandId) ? model.tracker.commands.get(commandId) : undefined
  if (!command) throw errors.invalidCommandId()
  return command
}


/** Parameters the document declares (documents.ts validateParameters), and the commands of a shell document. */
function checkParameters(spec: DocumentSpec, parameters: Record<string, string[]>): void {
  validateParameters(spec, parameters)
  if (spec.kind === 'custom') return
  if (scriptLines(parameters['commands']).length === 0) {
    throw errors.invalidParameters(`Parameters required: commands (document ${spec.name}).`)
  }
  const timeout = parameters['executionTimeout']?.[0]
  if (timeout !== undefined && !(/^\d+$/.test(timeout) && Number(timeout) >= 1 && Number(timeout) <= 172_800)) {
    throw errors.invalidParameters(`Parameter "executionTimeout" must be a number of seconds from 1 to 172800, got "${timeout}".`)
  }
}

/** Drops commands older than SSM keeps them, once all their invocations ended (oldest first). */
function forgetOldCommands(model: Model): void {
  const commands = model.state.commands
  const kept = commands.findIndex((command) => command.requestedAt >= model.now - KEPT_MS || !command.invocations.every(isTerminal))
  const dropped = commands.splice(0, kept < 0 ? commands.length : kept)
  for (const command of dropped) model.tracker.commands.delete(command.id)
}

function sendCommand(model: Model, input: SendCommandRequest): SendCommandResult {
  if (!input.DocumentName) throw errors.validation('DocumentName is required.')
  const spec = model.documents.get(input.DocumentName)
  if (!spec) throw errors.invalidDocument(`Document ${input.DocumentName} does not exist`)
  if (input.Targets && input.Targets.length > 0) {
    throw errors.validation('Targets are not supported by the simulated account: pass InstanceIds')
  }
  if (input.Comment !== undefined && input.Comment.length > MAX_COMMENT) {
    throw errors.validation(
      `1 validation error detected: Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to ${MAX_COMMENT}`,
    )
  }
  const instanceIds = [...new Set(input.InstanceIds ?? [])]
  if (instanceIds.length === 0) throw errors.validation('Please specify either instance ids or targets.')
  if (instanceIds.length > 50) {
    throw errors.validation(
      `1 validation error detected: Value '[${instanceIds.join(', ')}]' at 'instanceIds' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 50',
    )
  }
  const instances: InstanceRecord[] = []
  const invalid: string[] = []
  for (const id of instanceIds) {
    const instance = model.state.instances[id]
    if (isManaged(instance)) instances.push(instance)
    else invalid.push(id)
  }
  if (invalid.length > 0) {
    throw errors.invalidInstanceId(`Instances [[${invalid.join(', ')}]] not in a valid state for account ${model.state.accountId}`)
  }
  const parameters = input.Parameters ?? {}
  checkParameters(spec, parameters)
  const version = spec.kind === 'custom' ? customDocumentVersion(spec, parameters) : undefined
  const command: CommandRecord = {
    id: model.random.uuid(),
    documentName: spec.name,
    comment: input.Comment,
    parameters: structuredClone(parameters),
    instanceIds,
    requestedAt: model.now,
    timeoutSeconds: input.TimeoutSeconds ?? 3600,
    invocations: [],
    kind: spec.kind,
    setsVersion: spec.kind === 'custom' ? version !== undefined : setsVersion(scriptLines(parameters['commands'])),
    ...(version !== undefined ? {version} : {}),
  }
  forgetOldCommands(model)
  model.state.commands.push(command)
  model.tracker.commands.set(command.id, command)
  startInvocations(model, command, instances)
  return {Command: commandShape(model, command)}
}

function pluginName(model: Model, command: CommandRecord): string {
  return model.documents.get(command.documentName)?.plugin ?? 'aws:runShellScript'
}

function pluginShape(model: Model, command: CommandRecord, invocation: InvocationRecord) {
  return {
    Name: pluginName(model, command),
    Status: invocation.status as CommandPluginStatus,
    StatusDetails: invocation.details,
    ResponseCode: invocation.responseCode,
    ResponseStartDateTime: invocation.startedAt === undefined ? undefined : new Date(invocation.startedAt),
    ResponseFinishDateTime: invocation.endedAt === undefined ? undefined : new Date(invocation.endedAt),
    Output: (invocation.output + invocation.error).slice(0, LISTED_OUTPUT),
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    OutputS3BucketName: '',
    OutputS3KeyPrefix: '',
  }
}

function invocationShape(model: Model, command: CommandRecord, invocation: InvocationRecord, details: boolean): CommandInvocation {
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
    CommandPlugins: details ? [pluginShape(model, command, invocation)] : [],
    ServiceRole: '',
    NotificationConfig: {NotificationArn: '', NotificationEvents: [], NotificationType: undefined},
    CloudWatchOutputConfig: {CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false},
  }
}

function listCommandInvocations(model: Model, input: ListCommandInvocationsRequest): ListCommandInvocationsResult {
  const size = maxResults(input.MaxResults, 1, 50, errors.validation)
  let after = -Infinity
  let before = Infinity
  const tests: ((invocation: InvocationRecord) => boolean)[] = []
  const documents: (string | undefined)[] = []
  for (const filter of input.Filters ?? []) {
    if (!FILTER_KEYS.has(filter.key ?? '')) throw errors.invalidFilterKey(`The filter key ${filter.key ?? 'null'} is not valid.`)
    if (filter.key === 'InvokedAfter') after = Math.max(after, filterTime(filter))
    else if (filter.key === 'InvokedBefore') before = Math.min(before, filterTime(filter))
    else if (filter.key === 'Status') tests.push((invocation) => invocation.status === filter.value)
    // AWS: "The ExecutionStage filter can't be used with the ListCommandInvocations operation, only with ListCommands."
    else if (filter.key === 'ExecutionStage') throw errors.invalidFilterKey('The filter key ExecutionStage is not valid for ListCommandInvocations.')
    else if (filter.key === 'DocumentName') documents.push(filter.value)
  }
  const commands = (input.CommandId ? [requireCommand(model, input.CommandId)] : [...model.state.commands].reverse()).filter(
    (command) => command.requestedAt >= after && command.requestedAt < before && documents.every((name) => command.documentName === name),
  )
  // An invocation is listed once it exists (delivery), with the status its agent last reported.
  const rows = commands.flatMap((command) =>
    command.invocations
      .filter((invocation) => model.now >= invocation.visibleAt && (!input.InstanceId || invocation.instanceId === input.InstanceId))
      .map((invocation) => ({command, invocation: reported(model, invocation)}))
      .filter(({invocation}) => tests.every((test) => test(invocation))),
  )
  const {items, nextToken} = page(rows, input.NextToken, size, errors.invalidNextToken)
  return {
    CommandInvocations: items.map(({command, invocation}) => invocationShape(model, command, invocation, input.Details === true)),
    NextToken: nextToken,
  }
}

function elapsed(invocation: InvocationRecord, now: number): string {
  if (invocation.startedAt === undefined) return ''
  return `PT${((invocation.endedAt ?? now) - invocation.startedAt) / 1000}S`
}

function getCommandInvocation(model: Model, input: GetCommandInvocationRequest): GetCommandInvocationResult {
  const command = requireCommand(model, input.CommandId)
  const found = command.invocations.find((entry) => entry.instanceId === input.InstanceId)
  if (!found || model.now < found.visibleAt) throw errors.invocationDoesNotExist()
  const invocation = reported(model, found)
  const plugin = pluginName(model, command)
  if (input.PluginName && input.PluginName !== plugin) throw errors.invocationDoesNotExist()
  return {
    CommandId: command.id,
    InstanceId: invocation.instanceId,
    Comment: command.comment ?? '',
    DocumentName: command.documentName,
    DocumentVersion: '$DEFAULT',
    PluginName: plugin,
    ResponseCode: invocation.responseCode,
    ExecutionStartDateTime: invocation.startedAt === undefined ? '' : new Date(invocation.startedAt).toISOString(),
    ExecutionElapsedTime: elapsed(invocation, model.now),
    ExecutionEndDateTime: invocation.endedAt === undefined ? '' : new Date(invocation.endedAt).toISOString(),
    Status: invocation.status as CommandInvocationStatus,
    StatusDetails: invocation.details,
    StandardOutputContent: invocation.output.slice(0, FETCHED_OUTPUT),
    StandardOutputUrl: '',
    StandardErrorContent: invocation.error.slice(0, FETCHED_OUTPUT),
    StandardErrorUrl: '',
    CloudWatchOutputConfig: {CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false},
  }
}

function filterTime(filter: CommandFilter): number {
  const at = Date.parse(filter.value ?? '')
  if (Number.isNaN(at)) throw errors.validation(`Invalid value ${filter.value ?? 'null'} for filter ${filter.key}: expected a timestamp such as 2024-07-07T00:00:00Z`)
  return at
}

/** First index whose requestedAt is >= at (commands are in request order). */
function firstAtOrAfter(commands: readonly CommandRecord[], at: number): number {
  return countBefore(commands, (command) => command.requestedAt < at)
}

/** Newest first. InvokedAfter/InvokedBefore narrow the range by binary search; other filters are tested per command. */
function listCommands(model: Model, input: ListCommandsRequest): ListCommandsResult {
  const size = maxResults(input.MaxResults, 1, 50, errors.validation)
  let after = -Infinity
  let before = Infinity
  const tests: ((command: CommandRecord) => boolean)[] = []
  for (const filter of input.Filters ?? []) {
    if (!FILTER_KEYS.has(filter.key ?? '')) throw errors.invalidFilterKey(`The filter key ${filter.key ?? 'null'} is not valid.`)
    if (filter.key === 'InvokedAfter') after = Math.max(after, filterTime(filter))
    else if (filter.key === 'InvokedBefore') before = Math.min(before, filterTime(filter))
    else if (filter.key === 'Status') tests.push((command) => commandStatus(model, command) === filter.value)
    else if (filter.key === 'DocumentName') tests.push((command) => command.documentName === filter.value)
    // Executing: some invocation has not ended; Complete: every one has.
    else if (filter.key === 'ExecutionStage') tests.push((command) => (filter.value === 'Complete') === command.invocations.every((invocation) => isTerminal(reported(model, invocation, 'counts'))))
  }
  const instanceId = input.InstanceId
  if (instanceId) tests.push((command) => command.instanceIds.includes(instanceId))

  let commands: CommandRecord[]
  if (input.CommandId) {
    commands = [requireCommand(model, input.CommandId)].filter((c) => c.requestedAt >= after && c.requestedAt < before)
  } else {
    const all = model.state.commands
    const low = after === -Infinity ? 0 : firstAtOrAfter(all, after)
    const high = before === Infinity ? all.length : firstAtOrAfter(all, before)
    commands = all.slice(low, high).reverse()
  }
  if (tests.length > 0) commands = commands.filter((command) => tests.every((test) => test(command)))
  const {items, nextToken} = page(commands, input.NextToken, size, errors.invalidNextToken)
  return {Commands: items.map((command) => commandShape(model, command)), NextToken: nextToken}
}

/** CancelCommand: the named instances' invocations (every one when none is named) that have not finished. */
function cancelCommand(model: Model, input: CancelCommandRequest): CancelCommandResult {
  const command = requireCommand(model, input.CommandId)
  const named = input.InstanceIds && input.InstanceIds.length > 0 ? new Set(input.InstanceIds) : undefined
  for (const id of named ?? []) {
    if (!command.instanceIds.includes(id)) throw errors.invalidInstanceId(`Instance ${id} is not a target of command ${command.id}`)
  }
  cancelInvocations(model, command, named)
  return {}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const RUN_COMMAND: Record<string, (model: Model, input: any) => object> = {
  SendCommand: sendCommand,
  ListCommands: listCommands,
  ListCommandInvocations: listCommandInvocations,
  GetCommandInvocation: getCommandInvocation,
  CancelCommand: cancelCommand,
}
