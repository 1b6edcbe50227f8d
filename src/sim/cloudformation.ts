import type {
  CreateStackInput,
  CreateStackOutput,
  DeleteStackInput,
  DescribeStackEventsInput,
  DescribeStackEventsOutput,
  DescribeStacksInput,
  DescribeStacksOutput,
  ListStackResourcesInput,
  ListStackResourcesOutput,
  ListStacksInput,
  ListStacksOutput,
  ResourceStatus,
  Stack,
  StackStatus,
  ValidateTemplateInput,
  ValidateTemplateOutput,
} from '@aws-sdk/client-cloudformation'
import {resolveParameters, TemplateError, type CfnTemplate} from '../template/index.js'
import {cloudFormationErrors as errors} from './errors.js'
import type {Model} from './model.js'
import {decodeToken, encodeToken, page} from './paging.js'
import {findStack, givenStackName, isLive, requireStack, resourcesInOrder, startCreate, startDelete, templateOf} from './stacks.js'
import type {StackRecord} from './types.js'
import {serviceHandler, type CommandHandler} from './dispatch.js'
import {describeStackDriftDetectionStatus, describeStackResourceDrifts, detectStackDrift} from './stack-drift.js'

/** The CloudFormation API of the simulated account: request checks and response shapes. */

const PAGE = 100
/** Largest TemplateBody CloudFormation accepts, in bytes. */
const TEMPLATE_BODY_MAX_BYTES = 51_200
const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/

/** The request's template body and what it declares; refused as CloudFormation does when absent or too large. */
function parse(body: string | undefined, url: string | undefined): {body: string; template: CfnTemplate} {
  if (body === undefined || body === '') {
    if (url) throw errors.validation('TemplateURL is not supported by the simulated account: pass TemplateBody')
    throw errors.validation('Either Template URL or Template Body must be specified.')
  }
  // CloudFormation's quota for a template passed in the request (larger ones go through S3, TemplateURL).
  if (Buffer.byteLength(body, 'utf8') > TEMPLATE_BODY_MAX_BYTES) {
    throw errors.validation(
      `1 validation error detected: Value '${body.slice(0, 40)}...' at 'templateBody' failed to satisfy constraint: ` +
        `Member must have length less than or equal to ${TEMPLATE_BODY_MAX_BYTES}`,
    )
  }
  try {
    return {body, template: templateOf(body)}
  } catch (error) {
    if (error instanceof TemplateError) throw errors.validation(error.message)
    throw error
  }
}

function validateTemplate(_model: Model, input: ValidateTemplateInput): ValidateTemplateOutput {
  const {template} = parse(input.TemplateBody, input.TemplateURL)
  return {
    Parameters: Object.entries(template.Parameters ?? {}).map(([key, parameter]) => ({
      ParameterKey: key,
      DefaultValue: parameter.Default === undefined ? undefined : String(parameter.Default),
      NoEcho: String((parameter as {NoEcho?: unknown}).NoEcho) === 'true',
      Description: (parameter as {Description?: string}).Description,
    })),
    Description: template.Description,
    Capabilities: [],
    DeclaredTransforms: [],
  }
}

function createStack(model: Model, input: CreateStackInput): CreateStackOutput {
  const name = input.StackName ?? ''
  if (!STACK_NAME.test(name)) {
    throw errors.validation(
      `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: ` +
        'Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*',
    )
  }
  if (name.length > 128) {
    throw errors.validation(
      `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 128',
    )
  }
  const token = input.ClientRequestToken || undefined
  const existing = findStack(model, name, false)
  if (existing) {
    // A retry of the same request (same token) while the stack exists answers as the first call did.
    if (token !== undefined && existing.createToken === token) return {StackId: existing.id}
    throw errors.alreadyExists(name)
  }
  const {body: templateBody, template} = parse(input.TemplateBody, input.TemplateURL)
  const given: Record<string, string> = {}
  for (const parameter of input.Parameters ?? []) {
    if (!parameter.ParameterKey) continue
    if (parameter.UsePreviousValue) throw errors.validation('UsePreviousValue cannot be used when creating a stack')
    given[parameter.ParameterKey] = parameter.ParameterValue ?? ''
  }
  const tags = (input.Tags ?? []).map((tag) => ({Key: tag.Key ?? '', Value: tag.Value ?? ''}))
  if (tags.length > 50) {
    throw errors.validation(
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    )
  }
  try {
    const parameters = resolveParameters(template, given)
    const stack = startCreate(model, {name, templateBody, template, parameters, tags, token})
    return {StackId: stack.id}
  } catch (error) {
    if (error instanceof TemplateError) throw errors.validation(error.message)
    throw error
  }
}

function stackShape(stack: StackRecord): Stack {
  return {
    StackId: stack.id,
    StackName: stack.name,
    Description: stack.description,
    Parameters: Object.entries(stack.parameters).map(([key, value]) => ({
      ParameterKey: key,
      ParameterValue: stack.noEcho.includes(key) ? '****' : value,
    })),
    CreationTime: new Date(stack.createdAt),
    LastUpdatedTime: stack.updatedAt === undefined ? undefined : new Date(stack.updatedAt),
    DeletionTime: stack.deletedAt === undefined ? undefined : new Date(stack.deletedAt),
    StackStatus: stack.status as StackStatus,
    StackStatusReason: stack.statusReason,
    DisableRollback: false,
    NotificationARNs: [],
    Capabilities: [],
    Outputs: stack.status === 'CREATE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS' || stack.status === 'DELETE_FAILED'
      ? stack.outputs?.map((output) => ({...output}))
      : undefined,
    Tags: stack.tags.map((tag) => ({...tag})),
    EnableTerminationProtection: false,
    DriftInformation: {StackDriftStatus: 'NOT_CHECKED'},
  }
}

function describeStacks(model: Model, input: DescribeStacksInput): DescribeStacksOutput {
  if (input.StackName) return {Stacks: [stackShape(requireStack(model, input.StackName, true))]}
  const live = model.state.stacks.filter(isLive).reverse()
  const {items, nextToken} = page(live, input.NextToken, PAGE, errors.invalidNextToken)
  return {Stacks: items.map(stackShape), NextToken: nextToken}
}

/** Newest first; the token is a cursor (events older than it), so new events never shift pages. */
function describeStackEvents(model: Model, input: DescribeStackEventsInput): DescribeStackEventsOutput {
  const stack = requireStack(model, input.StackName, true)
  let before = Number.POSITIVE_INFINITY
  if (input.NextToken) {
    const cursor = decodeToken(input.NextToken, errors.invalidNextToken)
    if (cursor['s'] !== stack.id || typeof cursor['b'] !== 'number') throw errors.invalidNextToken()
    before = cursor['b']
  }
  const older = stack.events.filter((event) => event.seq < before).reverse()
  const events = older.slice(0, PAGE)
  const last = events[events.length - 1]
  return {
    StackEvents: events.map((event) => ({
      StackId: stack.id,
      EventId: event.id,
      StackName: stack.name,
      LogicalResourceId: event.logicalId,
      PhysicalResourceId: event.physicalId,
      ResourceType: event.type,
      Timestamp: new Date(event.at),
      ResourceStatus: event.status as ResourceStatus,
      ResourceStatusReason: event.reason,
      ClientRequestToken: event.token,
    })),
    NextToken: older.length > PAGE && last ? encodeToken({s: stack.id, b: last.seq}) : undefined,
  }
}

function listStackResources(model: Model, input: ListStackResourcesInput): ListStackResourcesOutput {
  const stack = requireStack(model, input.StackName, true)
  const {items, nextToken} = page(resourcesInOrder(stack), input.NextToken, PAGE, errors.invalidNextToken)
  return {
    StackResourceSummaries: items.map((resource) => ({
      LogicalResourceId: resource.logicalId,
      PhysicalResourceId: resource.physicalId,
      ResourceType: resource.type,
      LastUpdatedTimestamp: new Date(resource.updatedAt),
      ResourceStatus: resource.status as ResourceStatus,
      ResourceStatusReason: resource.statusReason,
      DriftInformation: {StackResourceDriftStatus: 'NOT_CHECKED'},
    })),
    NextToken: nextToken,
  }
}

function deleteStack(model: Model, input: DeleteStackInput): Record<string, never> {
  const stack = findStack(model, givenStackName(input.StackName), true)
  // Deleting an absent or already deleted stack succeeds, as in AWS.
  if (!stack || !isLive(stack)) return {}
  const token = input.ClientRequestToken || undefined
  if (token && stack.tokens.some((entry) => entry.token === token && entry.operation !== 'delete')) {
    throw errors.tokenAlreadyExists(
      `ClientRequestToken ${token} was already used by another operation on stack ${stack.name}`,
    )
  }
  if (stack.status.endsWith('_IN_PROGRESS') && stack.status !== 'CREATE_IN_PROGRESS' && stack.status !== 'DELETE_IN_PROGRESS') {
    throw errors.validation(`Stack [${stack.name}] cannot be deleted while in status ${stack.status}`)
  }
  startDelete(model, stack, token)
  return {}
}

function listStacks(model: Model, input: ListStacksInput): ListStacksOutput {
  const filter = input.StackStatusFilter ?? []
  const stacks = [...model.state.stacks]
    .reverse()
    .filter((stack) => filter.length === 0 || filter.includes(stack.status as StackStatus))
  const {items, nextToken} = page(stacks, input.NextToken, PAGE, errors.invalidNextToken)
  return {
    StackSummaries: items.map((stack) => ({
      StackId: stack.id,
      StackName: stack.name,
      TemplateDescription: stack.description,
      CreationTime: new Date(stack.createdAt),
      LastUpdatedTime: stack.updatedAt === undefined ? undefined : new Date(stack.updatedAt),
      DeletionTime: stack.deletedAt === undefined ? undefined : new Date(stack.deletedAt),
      StackStatus: stack.status as StackStatus,
      StackStatusReason: stack.statusReason,
      DriftInformation: {StackDriftStatus: 'NOT_CHECKED'},
    })),
    NextToken: nextToken,
  }
}

const COMMANDS: Record<string, CommandHandler> = {
  ValidateTemplate: validateTemplate,
  CreateStack: createStack,
  DescribeStacks: describeStacks,
  DescribeStackEvents: describeStackEvents,
  ListStackResources: listStackResources,
  DeleteStack: deleteStack,
  ListStacks: listStacks,
  DetectStackDrift: detectStackDrift,
  DescribeStackDriftDetectionStatus: describeStackDriftDetectionStatus,
  DescribeStackResourceDrifts: describeStackResourceDrifts,
}

export const handleCloudFormation = serviceHandler('cloudformation', COMMANDS)
