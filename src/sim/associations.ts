import type {
  AssociationDescription,
  CreateAssociationRequest,
  CreateAssociationResult,
  DeleteAssociationRequest,
  DescribeAssociationExecutionsRequest,
  DescribeAssociationExecutionsResult,
  DescribeAssociationExecutionTargetsRequest,
  DescribeAssociationExecutionTargetsResult,
  DescribeAssociationRequest,
  DescribeAssociationResult,
  ListAssociationsRequest,
  ListAssociationsResult,
  UpdateAssociationRequest,
  UpdateAssociationResult,
} from '@aws-sdk/client-ssm'
import {nextRun, parseSchedule} from '../util/schedule.js'
import {customDocumentVersion, validateParameters} from './documents.js'
import {ssmErrors as errors} from './errors.js'
import {instanceTags, setInstanceVersion} from './instances.js'
import {isManaged} from './invocations.js'
import type {Model} from './model.js'
import {maxResults, page} from './paging.js'
import {runScript, scriptLines} from './script.js'
import {commandDuration} from './timings.js'
import type {AssociationRecord, InstanceRecord, TaskBody} from './types.js'

/**
 * State Manager associations: a document with parameters applied to the instances its targets select,
 * at once when created or updated (as SSM does without ApplyOnlyAtCronInterval), then on its
 * schedule, on the virtual clock. Each run is an execution with one target per instance (Pending ->
 * Success | Failed), which DescribeAssociationExecutions and DescribeAssociationExecutionTargets
 * answer; an instance launched after a run is reached by the next one. What a run does on an instance
 * is what a Run Command of the same document does (script.ts, documents.ts).
 */

const NAME = /^[a-zA-Z0-9_\-.]{3,128}$/
/** The first run after CreateAssociation or UpdateAssociation: SSM starts it within moments. */
const FIRST_RUN_MS: [number, number] = [5_000, 30_000]
/** Executions kept per association (the newest). */
const KEPT_EXECUTIONS = 20
const TARGET_KEYS = /^(tag:.{1,128}|tag-key|InstanceIds)$/

function associations(model: Model): Record<string, AssociationRecord> {
  return (model.state.associations ??= {})
}

function requireAssociation(model: Model, id: string | undefined): AssociationRecord {
  const found = id ? associations(model)[id] : undefined
  if (!found) throw errors.associationDoesNotExist(`Association ${id ?? 'null'} does not exist.`)
  return found
}

/** What CreateAssociation and UpdateAssociation check, as SSM does, before anything is kept. */
function checked(model: Model, input: CreateAssociationRequest | UpdateAssociationRequest) {
  if (!input.Name) throw errors.validation('Name (the document) is required.')
  const spec = model.documents.get(input.Name)
  if (!spec) throw errors.invalidDocument(`Document ${input.Name} does not exist`)
  if (input.AssociationName !== undefined && !NAME.test(input.AssociationName)) {
    throw errors.validation(`1 validation error detected: Value '${input.AssociationName}' at 'associationName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$`)
  }
  const parameters = (input.Parameters ?? {})
  validateParameters(spec, parameters)
  if (spec.kind !== 'custom' && scriptLines(parameters['commands']).length === 0) {
    throw errors.invalidParameters(`Parameters required: commands (document ${spec.name}).`)
  }
  if (!input.ScheduleExpression) throw errors.invalidSchedule('A schedule expression is required for this association.')
  const schedule = parseSchedule(input.ScheduleExpression)
  if ('problem' in schedule) throw errors.invalidSchedule(`Schedule expression ${input.ScheduleExpression} is not valid: ${schedule.problem}`)
  const written = input.Targets ?? []
  if (written.length === 0 || written.length > 5) throw errors.invalidTarget('Specify 1 to 5 targets.')
  const targets = written.map(({Key: key, Values: values}) => {
    if (!key || !TARGET_KEYS.test(key) || !values || values.length === 0) {
      throw errors.invalidTarget(`Target ${key ?? 'null'} is not valid: expected tag:<key>, tag-key or InstanceIds with values.`)
    }
    return {Key: key, Values: [...values]}
  })
  return {documentName: spec.name, parameters: structuredClone(parameters), targets, schedule: input.ScheduleExpression}
}

/** The fields ListAssociations (an Association) and DescribeAssociation (an AssociationDescription) both answer. */
function listed(association: AssociationRecord) {
  const last = association.executions.at(-1)
  return {
    AssociationId: association.id,
    AssociationName: association.name,
    AssociationVersion: String(association.version),
    Name: association.documentName,
    DocumentVersion: '$DEFAULT',
    Targets: structuredClone(association.targets),
    ScheduleExpression: association.schedule,
    ...(last ? {LastExecutionDate: new Date(last.createdAt)} : {}),
  }
}

function description(model: Model, association: AssociationRecord): AssociationDescription {
  const last = association.executions.at(-1)
  return {
    ...listed(association),
    Parameters: structuredClone(association.parameters),
    Date: new Date(association.createdAt),
    LastUpdateAssociationDate: new Date(association.updatedAt),
    Overview: {Status: last ? executionStatus(last) : 'Pending', AssociationStatusAggregatedCount: countByStatus(last)},
    ApplyOnlyAtCronInterval: false,
  }
}

function createAssociation(model: Model, input: CreateAssociationRequest): CreateAssociationResult {
  const fields = checked(model, input)
  const id = model.random.uuid()
  const association: AssociationRecord = {id, name: input.AssociationName, ...fields, version: 1, createdAt: model.now, updatedAt: model.now, executions: []}
  associations(model)[id] = association
  model.schedule(model.delay(FIRST_RUN_MS), {kind: 'association.run', associationId: id, version: 1})
  return {AssociationDescription: description(model, association)}
}

/** UpdateAssociation overwrites every field given (SSM drops the ones left out); a new version runs at once. */
function updateAssociation(model: Model, input: UpdateAssociationRequest): UpdateAssociationResult {
  const association = requireAssociation(model, input.AssociationId)
  if (input.AssociationVersion !== undefined && input.AssociationVersion !== '$LATEST' && input.AssociationVersion !== String(association.version)) {
    throw errors.validation(`Association version ${input.AssociationVersion} is not the latest (${association.version}).`)
  }
  const fields = checked(model, {...input, Name: input.Name ?? association.documentName})
  Object.assign(association, fields, {name: input.AssociationName, version: association.version + 1, updatedAt: model.now})
  model.schedule(model.delay(FIRST_RUN_MS), {kind: 'association.run', associationId: association.id, version: association.version})
  return {AssociationDescription: description(model, association)}
}

function describeAssociation(model: Model, input: DescribeAssociationRequest): DescribeAssociationResult {
  return {AssociationDescription: description(model, requireAssociation(model, input.AssociationId))}
}

function deleteAssociation(model: Model, input: DeleteAssociationRequest): object {
  const association = requireAssociation(model, input.AssociationId)
  delete associations(model)[association.id]
  return {}
}

function listAssociations(model: Model, input: ListAssociationsRequest): ListAssociationsResult {
  const size = maxResults(input.MaxResults, 1, 50, errors.validation)
  let all = Object.values(associations(model))
  for (const filter of input.AssociationFilterList ?? []) {
    if (filter.key === 'AssociationName') all = all.filter((a) => a.name === filter.value)
    else if (filter.key === 'Name') all = all.filter((a) => a.documentName === filter.value)
    else if (filter.key === 'AssociationId') all = all.filter((a) => a.id === filter.value)
    else throw errors.validation(`The filter key ${filter.key ?? 'null'} is not supported by the simulated account.`)
  }
  const {items, nextToken} = page(all, input.NextToken, size, errors.invalidNextToken)
  return {
    Associations: items.map(listed),
    NextToken: nextToken,
  }
}

type Execution = AssociationRecord['executions'][number]

function executionStatus(execution: Execution): string {
  const statuses = Object.values(execution.targets).map((t) => t.status)
  if (statuses.some((s) => s === 'Pending' || s === 'InProgress')) return 'InProgress'
  return statuses.every((s) => s === 'Success') ? 'Success' : 'Failed'
}

function countByStatus(execution: Execution | undefined): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const target of Object.values(execution?.targets ?? {})) counts[target.status] = (counts[target.status] ?? 0) + 1
  return counts
}

/** Newest first, as SSM lists them. */
function describeExecutions(model: Model, input: DescribeAssociationExecutionsRequest): DescribeAssociationExecutionsResult {
  const association = requireAssociation(model, input.AssociationId)
  const size = maxResults(input.MaxResults, 1, 50, errors.validation)
  const {items, nextToken} = page([...association.executions].reverse(), input.NextToken, size, errors.invalidNextToken)
  return {
    AssociationExecutions: items.map((e) => ({
      AssociationId: association.id,
      AssociationVersion: String(e.version),
      ExecutionId: e.id,
      Status: executionStatus(e),
      DetailedStatus: executionStatus(e),
      CreatedTime: new Date(e.createdAt),
      ResourceCountByStatus: JSON.stringify(countByStatus(e)),
    })),
    NextToken: nextToken,
  }
}

function describeExecutionTargets(model: Model, input: DescribeAssociationExecutionTargetsRequest): DescribeAssociationExecutionTargetsResult {
  const association = requireAssociation(model, input.AssociationId)
  const execution = association.executions.find((e) => e.id === input.ExecutionId)
  if (!execution) throw errors.validation(`Execution ${input.ExecutionId ?? 'null'} of association ${association.id} does not exist.`)
  const size = maxResults(input.MaxResults, 1, 50, errors.validation)
  const {items, nextToken} = page(Object.entries(execution.targets), input.NextToken, size, errors.invalidNextToken)
  return {
    AssociationExecutionTargets: items.map(([instanceId, t]) => ({
      AssociationId: association.id,
      AssociationVersion: String(execution.version),
      ExecutionId: execution.id,
      ResourceId: instanceId,
      ResourceType: 'ManagedInstance',
      Status: t.status,
      DetailedStatus: t.detail,
      LastExecutionDate: new Date(t.at),
    })),
    NextToken: nextToken,
  }
}

/** The managed instances the association's targets select (every target must match). */
function targeted(model: Model, association: AssociationRecord): InstanceRecord[] {
  return Object.values(model.state.instances).filter((instance) => {
    if (!isManaged(instance)) return false
    const group = model.state.groups[instance.group]
    const tags = group ? instanceTags(group) : {}
    return association.targets.every(({Key: key, Values: values}) => {
      if (key === 'InstanceIds') return values.includes(instance.id)
      if (key === 'tag-key') return values.some((v) => tags[v] !== undefined)
      const tag = key.slice('tag:'.length)
      return tags[tag] !== undefined && values.includes(tags[tag])
    })
  })
}

type AssociationTask = Extract<TaskBody, {kind: `association.${string}`}>

export function applyAssociationTask(model: Model, task: AssociationTask): void {
  const association = associations(model)[task.associationId]
  if (!association) return
  if (task.kind === 'association.run') {
    // A run scheduled for an older version was replaced by the update's own run.
    if (task.version !== association.version) return
    const execution: Execution = {id: model.random.uuid(), version: association.version, createdAt: model.now, targets: {}}
    for (const instance of targeted(model, association)) {
      execution.targets[instance.id] = {status: 'Pending', detail: 'Pending', at: model.now}
      model.schedule(commandDuration(model, `association:${instance.id}`), {kind: 'association.applied', associationId: association.id, executionId: execution.id, instanceId: instance.id})
    }
    association.executions.push(execution)
    if (association.executions.length > KEPT_EXECUTIONS) association.executions.splice(0, association.executions.length - KEPT_EXECUTIONS)
    const schedule = parseSchedule(association.schedule)
    if (!('problem' in schedule)) model.schedule(nextRun(schedule, model.now) - model.now, {kind: 'association.run', associationId: association.id, version: association.version})
    return
  }
  const execution = association.executions.find((e) => e.id === task.executionId)
  const target = execution?.targets[task.instanceId]
  if (!execution || !target) return
  const instance = model.state.instances[task.instanceId]
  target.at = model.now
  if (!isManaged(instance)) {
    Object.assign(target, {status: 'Failed', detail: 'Undeliverable'})
    return
  }
  const result = runScript(linesOf(model, association), instance, model.faults)
  if (result.version !== undefined) setInstanceVersion(model, instance, result.version)
  Object.assign(target, result.ok ? {status: 'Success', detail: 'Success'} : {status: 'Failed', detail: 'Failed'})
}

/** What the association's document does on an instance, as release-sim lines (see script.ts). */
function linesOf(model: Model, association: AssociationRecord): string[] {
  const spec = model.documents.get(association.documentName)
  if (!spec) return []
  if (spec.kind !== 'custom') return scriptLines(association.parameters['commands'])
  const version = customDocumentVersion(spec, association.parameters)
  return version === undefined ? [] : [`release-sim set-version ${version}`, 'release-sim check']
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ASSOCIATIONS: Record<string, (model: Model, input: any) => object> = {
  CreateAssociation: createAssociation,
  UpdateAssociation: updateAssociation,
  DescribeAssociation: describeAssociation,
  DeleteAssociation: deleteAssociation,
  ListAssociations: listAssociations,
  DescribeAssociationExecutions: describeExecutions,
  DescribeAssociationExecutionTargets: describeExecutionTargets,
}
