import {
  creationOrder,
  evaluate,
  evaluateCondition,
  parseTemplate,
  TemplateError,
  type CfnTemplate,
  type EvaluationContext,
} from '../template/index.js'
import {cloudFormationErrors as errors} from './errors.js'
import {matchesAny} from './faults.js'
import type {Model} from './model.js'
import {
  AUTO_SCALING_GROUP,
  beginDeprovision,
  deletionFailure,
  finishDeprovision,
  provisionResource,
  resourceAttribute,
} from './resources.js'
import type {ResourceRecord, StackRecord, TaskBody} from './types.js'

/**
 * CloudFormation stack operations as CloudFormation sequences them: resources created one at a time
 * in dependency order, rollback on failure (created resources deleted in reverse order), deletion in
 * reverse order, and an event for every status change stamped with the operation's token.
 */

const STACK_TYPE = 'AWS::CloudFormation::Stack'
/** How soon a resource with invalid properties fails (the service refuses it at once). */
const FAST_FAILURE_MS: [number, number] = [500, 1_500]
/** How often CloudFormation looks again at a group whose instances are still terminating. */
const RECHECK_MS = 5_000

const templates = new Map<string, CfnTemplate>()

/** Parsed templates are cached by body: stacks keep only the body in the persisted state. */
export function templateOf(body: string): CfnTemplate {
  let template = templates.get(body)
  if (!template) {
    template = parseTemplate(body)
    if (templates.size > 64) templates.clear()
    templates.set(body, template)
  }
  return template
}

export function isLive(stack: StackRecord): boolean {
  return stack.status !== 'DELETE_COMPLETE'
}

/** The StackName of a request; refused as CloudFormation does when absent. */
export function givenStackName(name: string | undefined): string {
  if (!name) throw errors.validation("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
  return name
}

/** The stack a request names; refused as CloudFormation does when it names none or one that does not exist. */
export function requireStack(model: Model, name: string | undefined, includeDeleted: boolean): StackRecord {
  const given = givenStackName(name)
  const stack = findStack(model, given, includeDeleted)
  if (!stack) throw errors.validation(`Stack with id ${given} does not exist`)
  return stack
}

/** The stack's resources in creation order: only those created so far (a stack being created, or rolled back part way, lacks the rest). */
export function resourcesInOrder(stack: StackRecord): ResourceRecord[] {
  return stack.order.map((logicalId) => stack.resources[logicalId]).filter((resource) => resource !== undefined)
}

export function findStack(model: Model, nameOrId: string, includeDeleted: boolean): StackRecord | undefined {
  if (nameOrId.startsWith('arn:')) {
    return model.state.stacks.find((stack) => stack.id === nameOrId && (includeDeleted || isLive(stack)))
  }
  return model.state.stacks.find((stack) => stack.name === nameOrId && isLive(stack))
}

function stackEvent(model: Model, stack: StackRecord, status: string, reason?: string): void {
  stack.status = status
  stack.statusReason = reason
  stack.events.push({
    seq: model.nextSeq(),
    id: model.random.uuid(),
    at: model.now,
    logicalId: stack.name,
    physicalId: stack.id,
    type: STACK_TYPE,
    status,
    reason,
    token: stack.operationToken,
  })
}

function resourceEvent(model: Model, stack: StackRecord, resource: ResourceRecord, status: string, reason?: string): void {
  resource.status = status
  resource.statusReason = reason
  resource.updatedAt = model.now
  stack.events.push({
    seq: model.nextSeq(),
    id: model.random.uuid(),
    at: model.now,
    logicalId: resource.logicalId,
    physicalId: resource.physicalId,
    type: resource.type,
    status,
    reason,
    token: stack.operationToken,
  })
}

function evaluationContext(model: Model, stack: StackRecord): EvaluationContext {
  /** A resource the template refers to: created, with its physical id, or the reference is unresolved. */
  const created = (logicalId: string): {resource: ResourceRecord; physicalId: string} => {
    const resource = stack.resources[logicalId]
    const physicalId = resource?.physicalId
    if (!resource || !physicalId) {
      throw new TemplateError(`Unresolved resource dependencies [${logicalId}] in the Resources block of the template`)
    }
    return {resource, physicalId}
  }
  return {
    stackName: stack.name,
    stackId: stack.id,
    region: model.state.region,
    accountId: model.state.accountId,
    parameters: stack.parameters,
    physicalId: (logicalId) => created(logicalId).physicalId,
    attribute: (logicalId, attribute) => resourceAttribute(created(logicalId).resource, attribute),
  }
}

export interface NewStack {
  name: string
  templateBody: string
  template: CfnTemplate
  parameters: Record<string, string>
  tags: {Key: string; Value: string}[]
  token?: string
}

/** Starts creating a stack whose template and parameters were already checked; throws TemplateError before any change. */
export function startCreate(model: Model, input: NewStack): StackRecord {
  const {region, accountId} = model.state
  const order = creationOrder(input.template)
  const stack: StackRecord = {
    id: `arn:aws:cloudformation:${region}:${accountId}:stack/${input.name}/${model.random.uuid()}`,
    name: input.name,
    status: 'CREATE_IN_PROGRESS',
    createdAt: model.now,
    description: input.template.Description,
    templateBody: input.templateBody,
    parameters: input.parameters,
    noEcho: Object.entries(input.template.Parameters ?? {})
      .filter(([, parameter]) => String(parameter.NoEcho) === 'true')
      .map(([key]) => key),
    tags: input.tags,
    createToken: input.token,
    operationToken: input.token,
    tokens: input.token ? [{token: input.token, operation: 'create'}] : [],
    order: [],
    resources: {},
    events: [],
  }
  // Resources whose Condition is false are not part of the stack.
  const context = evaluationContext(model, stack)
  stack.order = order.filter((logicalId) => {
    const condition = input.template.Resources[logicalId]?.Condition
    return condition === undefined || evaluateCondition(condition, input.template, context)
  })
  model.state.stacks.push(stack)
  stackEvent(model, stack, 'CREATE_IN_PROGRESS', 'User Initiated')
  createNext(model, stack)
  return stack
}

function createNext(model: Model, stack: StackRecord): void {
  const next = stack.order.find((logicalId) => !stack.resources[logicalId])
  if (next === undefined) {
    completeCreate(model, stack)
    return
  }
  const template = templateOf(stack.templateBody)
  const definition = template.Resources[next]
  if (!definition) throw new Error(`stack ${stack.name}: resource ${next} of its creation order is not in its template`)
  const resource: ResourceRecord = {logicalId: next, type: definition.Type, status: 'CREATE_IN_PROGRESS', updatedAt: model.now}
  stack.resources[next] = resource
  resourceEvent(model, stack, resource, 'CREATE_IN_PROGRESS')

  let result: {failure?: string; failsLate?: boolean}
  try {
    const properties = evaluate(definition.Properties ?? {}, template, evaluationContext(model, stack))
    result = provisionResource(model, stack, resource, (properties ?? {}) as Record<string, unknown>)
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    result = {failure: error.message}
  }
  const task: TaskBody = {kind: 'resource.created', stackId: stack.id, logicalId: next, failure: result.failure}
  if (result.failure !== undefined && !result.failsLate) {
    model.schedule(model.delay(FAST_FAILURE_MS), task)
    return
  }
  resourceEvent(model, stack, resource, 'CREATE_IN_PROGRESS', 'Resource creation Initiated')
  model.schedule(model.delay(model.timings.stackResourceMs), task)
}

function completeCreate(model: Model, stack: StackRecord): void {
  const template = templateOf(stack.templateBody)
  const context = evaluationContext(model, stack)
  const outputs: NonNullable<StackRecord['outputs']> = []
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    try {
      if (output.Condition !== undefined && !evaluateCondition(output.Condition, template, context)) continue
      const value = evaluate(output.Value, template, context)
      const text = typeof value === 'string' ? value : JSON.stringify(value)
      outputs.push({OutputKey: key, OutputValue: text, Description: output.Description})
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error
    }
  }
  stack.outputs = outputs
  stackEvent(model, stack, 'CREATE_COMPLETE')
}

/** The next resource to delete, in reverse creation order; undefined when all are gone. */
function deleteNext(model: Model, stack: StackRecord): void {
  const remaining = [...stack.order]
    .reverse()
    .map((logicalId) => stack.resources[logicalId])
    .filter((resource): resource is ResourceRecord => !!resource && resource.status !== 'DELETE_COMPLETE')
  const next = remaining[0]
  if (!next) {
    if (stack.status === 'ROLLBACK_IN_PROGRESS') {
      stackEvent(model, stack, 'ROLLBACK_COMPLETE')
    } else {
      stack.deletedAt = model.now
      stackEvent(model, stack, 'DELETE_COMPLETE')
    }
    return
  }
  resourceEvent(model, stack, next, 'DELETE_IN_PROGRESS')
  const task: TaskBody = {kind: 'resource.deleted', stackId: stack.id, logicalId: next.logicalId}
  const failing =
    stack.status === 'DELETE_IN_PROGRESS' &&
    matchesAny(model.faults.failStackDeletion, stack.parameters['Version']) &&
    (next.type === AUTO_SCALING_GROUP || !remaining.some((resource) => resource.type === AUTO_SCALING_GROUP))
  if (failing) {
    task.failure = deletionFailure(model, next)
  } else {
    beginDeprovision(model, next)
  }
  model.schedule(model.delay(model.timings.stackResourceMs), task)
}

export type DeleteOutcome = 'started' | 'unchanged'

/** DeleteStack on a live stack. Throws a string naming the status when CloudFormation refuses. */
export function startDelete(model: Model, stack: StackRecord, token: string | undefined): DeleteOutcome {
  if (stack.status === 'DELETE_IN_PROGRESS' || stack.status === 'DELETE_COMPLETE') return 'unchanged'
  if (stack.status === 'CREATE_IN_PROGRESS') {
    for (const resource of Object.values(stack.resources)) {
      if (resource.status !== 'CREATE_IN_PROGRESS') continue
      resourceEvent(model, stack, resource, 'CREATE_FAILED', 'Resource creation cancelled')
    }
  }
  if (token && !stack.tokens.some((entry) => entry.token === token)) stack.tokens.push({token, operation: 'delete'})
  stack.operationToken = token
  stack.updatedAt = model.now
  stackEvent(model, stack, 'DELETE_IN_PROGRESS', 'User Initiated')
  deleteNext(model, stack)
  return 'started'
}

type ResourceTask = Extract<TaskBody, {kind: `resource.${string}`}>

export function applyResourceTask(model: Model, task: ResourceTask): void {
  const stack = model.state.stacks.find((entry) => entry.id === task.stackId)
  const resource = stack?.resources[task.logicalId]
  if (!stack || !resource) return

  if (task.kind === 'resource.created') {
    if (stack.status !== 'CREATE_IN_PROGRESS' || resource.status !== 'CREATE_IN_PROGRESS') return
    if (task.failure !== undefined) {
      resourceEvent(model, stack, resource, 'CREATE_FAILED', task.failure)
      stackEvent(
        model,
        stack,
        'ROLLBACK_IN_PROGRESS',
        `The following resource(s) failed to create: [${resource.logicalId}]. Rollback requested by user.`,
      )
      deleteNext(model, stack)
      return
    }
    resourceEvent(model, stack, resource, 'CREATE_COMPLETE')
    createNext(model, stack)
    return
  }

  if (resource.status !== 'DELETE_IN_PROGRESS') return
  if (stack.status !== 'DELETE_IN_PROGRESS' && stack.status !== 'ROLLBACK_IN_PROGRESS') return
  if (task.failure !== undefined) {
    resourceEvent(model, stack, resource, 'DELETE_FAILED', task.failure)
    stackEvent(model, stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${resource.logicalId}]. `)
    return
  }
  if (!finishDeprovision(model, resource)) {
    model.schedule(RECHECK_MS, task)
    return
  }
  resourceEvent(model, stack, resource, 'DELETE_COMPLETE')
  deleteNext(model, stack)
}
