import {TemplateError} from '../template/index.js'
import {matchesAny} from './faults.js'
import {beginGroupDeletion, createGroup} from './instances.js'
import type {Model} from './model.js'
import {attachTrafficSource} from './traffic.js'
import type {GroupTag, ResourceRecord, StackRecord} from './types.js'

/**
 * What creating and deleting each resource type does in the account. LaunchTemplates and
 * AutoScalingGroups are modeled; every other type is an opaque resource with a generated physical id.
 */

export const AUTO_SCALING_GROUP = 'AWS::AutoScaling::AutoScalingGroup'
export const LAUNCH_TEMPLATE = 'AWS::EC2::LaunchTemplate'
export const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup'

export interface ProvisionResult {
  /** The resource's CREATE_FAILED reason, if it fails. */
  failure?: string
  /** Fails only after the usual creation delay (the resource was provisioned first), not at once. */
  failsLate?: boolean
}

/** Reads like CloudFormation's reasons for errors a resource handler got from the service. */
function handlerMessage(model: Model, message: string, service: string, code: string): string {
  return (
    `Resource handler returned message: "${message} (Service: ${service}, Status Code: 400, ` +
    `Request ID: ${model.random.uuid()})" (RequestToken: ${model.random.uuid()}, HandlerErrorCode: ${code})`
  )
}

function propertyError(logicalId: string, message: string): string {
  return `Properties validation failed for resource ${logicalId} with message: ${message}`
}

function integer(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value)
  return undefined
}

export function provisionResource(
  model: Model,
  stack: StackRecord,
  resource: ResourceRecord,
  properties: Record<string, unknown>,
): ProvisionResult {
  switch (resource.type) {
    case LAUNCH_TEMPLATE:
      return provisionLaunchTemplate(model, stack, resource, properties)
    case AUTO_SCALING_GROUP:
      return provisionGroup(model, stack, resource, properties)
    case TARGET_GROUP: {
      const name = (typeof properties['Name'] === 'string' ? properties['Name'] : `${stack.name}-${resource.logicalId}`)
        .slice(0, 32)
        .replace(/-+$/, '')
      const {region, accountId} = model.state
      resource.physicalId = `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${name}/${model.random.hex(16)}`
      return {}
    }
    default:
      resource.physicalId = `${stack.name}-${resource.logicalId}-${model.random.upper(12)}`
      return {}
  }
}

function provisionLaunchTemplate(
  model: Model,
  stack: StackRecord,
  resource: ResourceRecord,
  properties: Record<string, unknown>,
): ProvisionResult {
  const data = properties['LaunchTemplateData']
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return {failure: propertyError(resource.logicalId, '#: required key [LaunchTemplateData] not found')}
  }
  const id = `lt-${model.random.hex(17)}`
  const name =
    typeof properties['LaunchTemplateName'] === 'string'
      ? properties['LaunchTemplateName']
      : `${resource.logicalId}_${model.random.upper(12)}`
  if (Object.values(model.state.launchTemplates).some((template) => template.name === name)) {
    return {failure: handlerMessage(model, 'Launch template name already in use.', 'Ec2', 'AlreadyExists')}
  }
  model.state.launchTemplates[id] = {id, name, stackId: stack.id, data: data as Record<string, unknown>}
  resource.physicalId = id
  return {}
}

function provisionGroup(
  model: Model,
  stack: StackRecord,
  resource: ResourceRecord,
  properties: Record<string, unknown>,
): ProvisionResult {
  const id = resource.logicalId
  for (const key of ['MaxSize', 'MinSize']) {
    if (properties[key] === undefined) return {failure: propertyError(id, `#: required key [${key}] not found`)}
  }
  const min = integer(properties['MinSize'])
  const max = integer(properties['MaxSize'])
  const desired = properties['DesiredCapacity'] === undefined ? min : integer(properties['DesiredCapacity'])
  const notInteger = (key: string) =>
    ({failure: propertyError(id, `#/${key}: expected type: Integer, found: ${String(properties[key])}`)}) as const
  if (min === undefined) return notInteger('MinSize')
  if (max === undefined) return notInteger('MaxSize')
  if (desired === undefined) return notInteger('DesiredCapacity')
  const refused = (message: string, code = 'InvalidRequest') => ({failure: handlerMessage(model, message, 'AutoScaling', code)})
  if (min > max) return refused(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`)
  if (desired < min || desired > max) {
    return refused(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`)
  }

  let launchTemplate: {id: string; name: string; version: string} | undefined
  const mixed = properties['MixedInstancesPolicy'] as {LaunchTemplate?: {LaunchTemplateSpecification?: unknown}} | undefined
  const reference = (properties['LaunchTemplate'] ?? mixed?.LaunchTemplate?.LaunchTemplateSpecification) as
    | Record<string, unknown>
    | undefined
  if (reference && typeof reference === 'object') {
    const template = Object.values(model.state.launchTemplates).find(
      (entry) => entry.id === reference['LaunchTemplateId'] || entry.name === reference['LaunchTemplateName'],
    )
    if (!template) {
      const given = String(reference['LaunchTemplateId'] ?? reference['LaunchTemplateName'])
      return refused(`The specified launch template, with template ID ${given}, does not exist.`)
    }
    launchTemplate = {id: template.id, name: template.name, version: String(reference['Version'] ?? '$Default')}
  }

  const name =
    typeof properties['AutoScalingGroupName'] === 'string'
      ? properties['AutoScalingGroupName']
      : `${stack.name}-${id}-${model.random.upper(12)}`
  if (model.state.groups[name]) {
    return refused(`AutoScalingGroup by this name already exists - A group with the name ${name} already exists`, 'AlreadyExists')
  }

  const tags: GroupTag[] = []
  if (Array.isArray(properties['Tags'])) {
    for (const tag of properties['Tags'] as Record<string, unknown>[]) {
      if (!tag || typeof tag['Key'] !== 'string') continue
      const propagate = tag['PropagateAtLaunch']
      tags.push({Key: tag['Key'], Value: String(tag['Value'] ?? ''), PropagateAtLaunch: propagate === true || propagate === 'true'})
    }
  }
  // CloudFormation propagates stack-level tags to the resources that support tags, an Auto Scaling
  // group included (with PropagateAtLaunch true); a tag the template sets itself wins.
  for (const tag of stack.tags) {
    if (!tags.some((t) => t.Key === tag.Key)) tags.push({Key: tag.Key, Value: tag.Value, PropagateAtLaunch: true})
  }
  tags.push(
    {Key: 'aws:cloudformation:logical-id', Value: id, PropagateAtLaunch: true},
    {Key: 'aws:cloudformation:stack-id', Value: stack.id, PropagateAtLaunch: true},
    {Key: 'aws:cloudformation:stack-name', Value: stack.name, PropagateAtLaunch: true},
  )
  const grace = integer(properties['HealthCheckGracePeriod'])
  const group = createGroup(model, {
    name,
    stackId: stack.id,
    min,
    max,
    desired,
    launchTemplate,
    tags,
    healthCheckType: typeof properties['HealthCheckType'] === 'string' ? properties['HealthCheckType'] : 'EC2',
    healthCheckGracePeriod: grace ?? 0,
    stackVersion: stack.parameters['Version'],
  })
  if (Array.isArray(properties['TargetGroupARNs'])) {
    for (const arn of properties['TargetGroupARNs']) attachTrafficSource(model, group, String(arn), 'elbv2')
  }
  resource.physicalId = name

  const version = stack.parameters['Version']
  if (matchesAny(model.faults.failStackCreation, version)) {
    return {
      failsLate: true,
      failure: handlerMessage(
        model,
        `Instances of version ${version} failed to launch (simulated fault failStackCreation)`,
        'AutoScaling',
        'GeneralServiceException',
      ),
    }
  }
  return {}
}

/** Starts removing what the resource provisioned (an ASG's instances terminate first). */
export function beginDeprovision(model: Model, resource: ResourceRecord): void {
  if (resource.type !== AUTO_SCALING_GROUP || !resource.physicalId) return
  const group = model.state.groups[resource.physicalId]
  if (group) beginGroupDeletion(model, group)
}

/** Finishes removing it; false while it must still wait (a group whose instances are not gone yet). */
export function finishDeprovision(model: Model, resource: ResourceRecord): boolean {
  if (!resource.physicalId) return true
  if (resource.type === AUTO_SCALING_GROUP) {
    const group = model.state.groups[resource.physicalId]
    if (group && group.instanceIds.length > 0) return false
    delete model.state.groups[resource.physicalId]
  } else if (resource.type === LAUNCH_TEMPLATE) {
    delete model.state.launchTemplates[resource.physicalId]
  }
  return true
}

/** The deletion failure CloudFormation would report for this resource (failStackDeletion). */
export function deletionFailure(model: Model, resource: ResourceRecord): string {
  if (resource.type === AUTO_SCALING_GROUP) {
    return handlerMessage(
      model,
      'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.',
      'AutoScaling',
      'ResourceConflict',
    )
  }
  return handlerMessage(model, `Resource ${resource.physicalId ?? resource.logicalId} is in use`, 'CloudFormation', 'ResourceConflict')
}

/** What Fn::GetAtt returns. */
export function resourceAttribute(resource: ResourceRecord, attribute: string): string {
  const physicalId = resource.physicalId
  if (!physicalId) {
    throw new TemplateError(`Unresolved resource dependencies [${resource.logicalId}] in the Resources block of the template`)
  }
  const unsupported = () =>
    new TemplateError(
      `Template error: resource ${resource.logicalId} does not support attribute type ${attribute} in Fn::GetAtt`,
    )
  switch (resource.type) {
    case LAUNCH_TEMPLATE:
      if (attribute === 'LatestVersionNumber' || attribute === 'DefaultVersionNumber') return '1'
      if (attribute === 'LaunchTemplateId') return physicalId
      throw unsupported()
    case AUTO_SCALING_GROUP:
      throw unsupported()
    case TARGET_GROUP: {
      const [, name = '', suffix = ''] = physicalId.split('/')
      if (attribute === 'TargetGroupArn') return physicalId
      if (attribute === 'TargetGroupName') return name
      if (attribute === 'TargetGroupFullName') return `targetgroup/${name}/${suffix}`
      throw unsupported()
    }
    default:
      // Opaque types: the account does not know their attributes, so any answers, deterministically.
      return `${physicalId}.${attribute}`
  }
}
