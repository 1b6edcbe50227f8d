import type {
  Activity,
  AttachTrafficSourcesType,
  AutoScalingGroup,
  AutoScalingGroupNamesType,
  AutoScalingGroupsType,
  AutoScalingInstancesType,
  DescribeAutoScalingInstancesType,
  DescribeTrafficSourcesRequest,
  DescribeTrafficSourcesResponse,
  DetachTrafficSourcesType,
  EnterStandbyAnswer,
  EnterStandbyQuery,
  ExitStandbyAnswer,
  ExitStandbyQuery,
  LifecycleState,
  SetDesiredCapacityType,
  TerminateInstanceInAutoScalingGroupType,
  UpdateAutoScalingGroupType,
} from '@aws-sdk/client-auto-scaling'
import {autoScalingErrors as errors} from './errors.js'
import {matchesAny} from './faults.js'
import {
  enterStandby,
  exitStandby,
  groupInstances,
  reconcileCapacity,
  terminateInstance,
} from './instances.js'
import {iso, type Model} from './model.js'
import {page, pageSize} from './paging.js'
import {findTargetGroup} from './targets.js'
import {attachTrafficSource, detachTrafficSource, refreshTrafficSources, trafficType} from './traffic.js'
import type {GroupRecord, InstanceRecord} from './types.js'
import {serviceHandler, type CommandHandler} from './dispatch.js'

/** The Auto Scaling API of the simulated account: request checks and response shapes. */

const INSTANCE_TYPE = 't3.micro'
const TARGET_GROUP_ARN = /^arn:aws[-a-z]*:elasticloadbalancing:[^:]*:\d{12}:targetgroup\/[^/]+\/[^/]+$/

function requireGroup(model: Model, name: string | undefined): GroupRecord {
  const group = name ? model.state.groups[name] : undefined
  if (!group) throw errors.groupNotFound(name ?? 'null')
  return group
}

function requireChangeable(model: Model, name: string | undefined): GroupRecord {
  const group = requireGroup(model, name)
  if (group.deleting) throw errors.validation(`AutoScalingGroup ${group.name} is pending delete.`)
  return group
}

function launchTemplateShape(instanceOrGroup: {launchTemplate?: {id: string; name: string; version: string}}) {
  const template = instanceOrGroup.launchTemplate
  return template ? {LaunchTemplateId: template.id, LaunchTemplateName: template.name, Version: template.version} : undefined
}

function groupShape(model: Model, group: GroupRecord): AutoScalingGroup {
  const elbv2 = group.trafficSources.filter((source) => source.type === 'elbv2' && source.state !== 'Removed')
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    LaunchTemplate: launchTemplateShape(group),
    MinSize: group.min,
    MaxSize: group.max,
    DesiredCapacity: group.desired,
    DefaultCooldown: 300,
    AvailabilityZones: [...group.zones],
    LoadBalancerNames: [],
    TargetGroupARNs: elbv2.map((source) => source.identifier),
    HealthCheckType: group.healthCheckType,
    HealthCheckGracePeriod: group.healthCheckGracePeriod,
    Instances: groupInstances(model, group).map((instance) => ({
      InstanceId: instance.id,
      InstanceType: INSTANCE_TYPE,
      AvailabilityZone: instance.zone,
      LifecycleState: instance.lifecycle as LifecycleState,
      HealthStatus: instance.health,
      LaunchTemplate: launchTemplateShape(instance),
      ProtectedFromScaleIn: false,
    })),
    CreatedTime: new Date(group.createdAt),
    SuspendedProcesses: [],
    EnabledMetrics: [],
    Status: group.deleting ? 'Delete in progress' : undefined,
    Tags: group.tags.map((tag) => ({
      ResourceId: group.name,
      ResourceType: 'auto-scaling-group',
      Key: tag.Key,
      Value: tag.Value,
      PropagateAtLaunch: tag.PropagateAtLaunch,
    })),
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: false,
    TrafficSources: group.trafficSources
      .filter((source) => source.state !== 'Removed')
      .map((source) => ({Identifier: source.identifier, Type: source.type})),
  }
}

function matchesFilters(group: GroupRecord, filters: AutoScalingGroupNamesType['Filters']): boolean {
  for (const filter of filters ?? []) {
    const values = filter.Values ?? []
    const name = filter.Name ?? ''
    if (name.startsWith('tag:')) {
      const key = name.slice(4)
      if (!group.tags.some((tag) => tag.Key === key && values.includes(tag.Value))) return false
    } else if (name === 'tag-key') {
      if (!group.tags.some((tag) => values.includes(tag.Key))) return false
    } else if (name === 'tag-value') {
      if (!group.tags.some((tag) => values.includes(tag.Value))) return false
    } else {
      throw errors.validation(`Filter name ${name} is not supported by the simulated account`)
    }
  }
  return true
}

function describeAutoScalingGroups(model: Model, input: AutoScalingGroupNamesType): AutoScalingGroupsType {
  const names = input.AutoScalingGroupNames
  const groups = Object.values(model.state.groups)
    .filter((group) => !names || names.length === 0 || names.includes(group.name))
    .filter((group) => matchesFilters(group, input.Filters))
    .sort((a, b) => a.name.localeCompare(b.name))
  const {items, nextToken} = page(groups, input.NextToken, pageSize(input.MaxRecords, 50, 100), errors.invalidNextToken)
  return {AutoScalingGroups: items.map((group) => groupShape(model, group)), NextToken: nextToken}
}

function describeAutoScalingInstances(model: Model, input: DescribeAutoScalingInstancesType): AutoScalingInstancesType {
  const ids = input.InstanceIds
  const chosen =
    ids && ids.length > 0
      ? [...new Set(ids)].map((id) => model.state.instances[id]).filter((i): i is InstanceRecord => !!i)
      : Object.values(model.state.instances)
  const instances = chosen.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const {items, nextToken} = page(instances, input.NextToken, pageSize(input.MaxRecords, 50, 50), errors.invalidNextToken)
  return {
    AutoScalingInstances: items.map((instance) => ({
      InstanceId: instance.id,
      InstanceType: INSTANCE_TYPE,
      AutoScalingGroupName: instance.group,
      AvailabilityZone: instance.zone,
      LifecycleState: instance.lifecycle,
      // Unlike DescribeAutoScalingGroups, this API answers in upper case (HEALTHY/UNHEALTHY), as AWS does.
      HealthStatus: instance.health.toUpperCase(),
      LaunchTemplate: launchTemplateShape(instance),
      ProtectedFromScaleIn: false,
    })),
    NextToken: nextToken,
  }
}

function checkCapacity(min: number, max: number, desired: number): void {
  if (min > max) throw errors.validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`)
  if (desired < min || desired > max) {
    throw errors.validation(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`)
  }
}

function updateAutoScalingGroup(model: Model, input: UpdateAutoScalingGroupType): Record<string, never> {
  const group = requireChangeable(model, input.AutoScalingGroupName)
  const min = input.MinSize ?? group.min
  const max = input.MaxSize ?? group.max
  let desired = input.DesiredCapacity ?? group.desired
  // Without an explicit desired capacity, AWS moves it into the new bounds.
  if (input.DesiredCapacity === undefined) desired = Math.min(Math.max(desired, min), Math.max(max, min))
  checkCapacity(min, max, desired)
  group.min = min
  group.max = max
  group.desired = desired
  if (input.HealthCheckGracePeriod !== undefined) group.healthCheckGracePeriod = input.HealthCheckGracePeriod
  if (input.HealthCheckType !== undefined) group.healthCheckType = input.HealthCheckType
  reconcileCapacity(model, group)
  return {}
}

function setDesiredCapacity(model: Model, input: SetDesiredCapacityType): Record<string, never> {
  const group = requireChangeable(model, input.AutoScalingGroupName)
  const desired = input.DesiredCapacity ?? group.desired
  if (desired > group.max) {
    throw errors.validation(`New SetDesiredCapacity value ${desired} is above max value ${group.max} for the AutoScalingGroup.`)
  }
  if (desired < group.min) {
    throw errors.validation(`New SetDesiredCapacity value ${desired} is below min value ${group.min} for the AutoScalingGroup.`)
  }
  group.desired = desired
  reconcileCapacity(model, group)
  return {}
}

function attachTrafficSources(model: Model, input: AttachTrafficSourcesType): Record<string, never> {
  const group = requireChangeable(model, input.AutoScalingGroupName)
  const sources = (input.TrafficSources ?? []).map((source) => ({
    identifier: source.Identifier ?? '',
    type: trafficType(source.Identifier ?? '', source.Type),
  }))
  const [first] = sources
  if (first === undefined || sources.length > 10) {
    throw errors.validation(
      "1 validation error detected: Value at 'trafficSources' failed to satisfy constraint: Member must have length between 1 and 10",
    )
  }
  for (const source of sources) {
    if (source.type === 'elbv2' && (!TARGET_GROUP_ARN.test(source.identifier) || !findTargetGroup(model, source.identifier))) {
      throw errors.validation('Provided Target Groups may not be valid. Please ensure they exist and try again.')
    }
  }
  const versions = [...new Set(groupInstances(model, group).map((instance) => instance.version))]
  const failing = versions.find((version) => matchesAny(model.faults.failTrafficAttach, version))
  if (failing !== undefined) {
    throw errors.validation(
      `Could not register the instances of ${group.name} with ${first.identifier}: ` +
        `instances of version ${failing} failed registration (simulated fault failTrafficAttach)`,
    )
  }
  for (const source of sources) attachTrafficSource(model, group, source.identifier, source.type)
  refreshTrafficSources(model, group)
  return {}
}

function detachTrafficSources(model: Model, input: DetachTrafficSourcesType): Record<string, never> {
  const group = requireGroup(model, input.AutoScalingGroupName)
  for (const source of input.TrafficSources ?? []) detachTrafficSource(model, group, source.Identifier ?? '')
  return {}
}

function describeTrafficSources(model: Model, input: DescribeTrafficSourcesRequest): DescribeTrafficSourcesResponse {
  const group = requireGroup(model, input.AutoScalingGroupName)
  const sources = group.trafficSources.filter((source) => !input.TrafficSourceType || source.type === input.TrafficSourceType)
  const {items, nextToken} = page(sources, input.NextToken, pageSize(input.MaxRecords, 50, 50), errors.invalidNextToken)
  return {
    TrafficSources: items.map((source) => ({
      TrafficSource: source.identifier,
      Identifier: source.identifier,
      Type: source.type,
      State: source.state,
    })),
    NextToken: nextToken,
  }
}

/** EnterStandby and ExitStandby take at most this many instances a call. */
const STANDBY_BATCH = 20

function groupMembers(model: Model, group: GroupRecord, ids: string[] | undefined): InstanceRecord[] {
  if (!ids || ids.length === 0) throw errors.validation('The parameter InstanceIds must be specified.')
  if (ids.length > STANDBY_BATCH) {
    throw errors.validation(
      `1 validation error detected: Value '[${ids.join(', ')}]' at 'instanceIds' failed to satisfy constraint: ` +
        `Member must have length less than or equal to ${STANDBY_BATCH}`,
    )
  }
  if (new Set(ids).size !== ids.length) throw errors.validation('The parameter InstanceIds contains duplicate instance ids.')
  return ids.map((id) => {
    const instance = model.state.instances[id]
    if (!instance || instance.group !== group.name) {
      throw errors.validation(`The instance ${id} is not part of Auto Scaling group ${group.name}.`)
    }
    return instance
  })
}

function activity(model: Model, group: GroupRecord, description: string, cause: string): Activity {
  return {
    ActivityId: model.random.uuid(),
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    Description: description,
    Cause: cause,
    StartTime: new Date(model.now),
    StatusCode: 'InProgress',
    Progress: 50,
    Details: JSON.stringify({'Availability Zone': group.zones[0]}),
  }
}

function sizes(group: GroupRecord): string {
  return `AutoScalingGroup ${group.name} has min-size=${group.min}, max-size=${group.max}, and desired-size=${group.desired}.`
}

/**
 * EnteringStandby -> Standby after a delay. Standby instances are deregistered from the group's
 * traffic sources (they do not count as serving) but stay SSM managed. Decrementing lowers the
 * desired capacity; otherwise the group launches a replacement for each.
 */
function enterStandbyCommand(model: Model, input: EnterStandbyQuery): EnterStandbyAnswer {
  const group = requireChangeable(model, input.AutoScalingGroupName)
  if (typeof input.ShouldDecrementDesiredCapacity !== 'boolean') {
    throw errors.validation(
      "1 validation error detected: Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint: Member must not be null",
    )
  }
  const instances = groupMembers(model, group, input.InstanceIds)
  const decrement = input.ShouldDecrementDesiredCapacity
  for (const instance of instances) {
    if (instance.lifecycle !== 'InService') throw errors.validation(`The instance ${instance.id} is not in InService.`)
  }
  if (decrement && group.desired - instances.length < group.min) {
    throw errors.validation(
      `${sizes(group)} To place into standby ${instances.length} instances, please update the AutoScalingGroup sizes appropriately.`,
    )
  }
  const activities = instances.map((instance) => {
    const before = group.desired
    enterStandby(model, group, instance, decrement)
    const capacity = decrement ? `, shrinking the capacity from ${before} to ${group.desired}` : ''
    return activity(
      model,
      group,
      `Moving EC2 instance to Standby: ${instance.id}`,
      `At ${iso(model.now)} instance ${instance.id} was moved to standby in response to a user request${capacity}.`,
    )
  })
  reconcileCapacity(model, group)
  return {Activities: activities}
}

function exitStandbyCommand(model: Model, input: ExitStandbyQuery): ExitStandbyAnswer {
  const group = requireChangeable(model, input.AutoScalingGroupName)
  const instances = groupMembers(model, group, input.InstanceIds)
  for (const instance of instances) {
    if (instance.lifecycle !== 'Standby') throw errors.validation(`The instance ${instance.id} is not in Standby.`)
  }
  if (group.desired + instances.length > group.max) {
    throw errors.validation(
      `${sizes(group)} To move ${instances.length} instances out of standby, please update the AutoScalingGroup sizes appropriately.`,
    )
  }
  const activities = instances.map((instance) => {
    const before = group.desired
    exitStandby(model, group, instance)
    return activity(
      model,
      group,
      `Moving EC2 instance out of Standby: ${instance.id}`,
      `At ${iso(model.now)} instance ${instance.id} was moved out of standby in response to a user request, ` +
        `increasing the capacity from ${before} to ${group.desired}.`,
    )
  })
  refreshTrafficSources(model, group)
  return {Activities: activities}
}

/** Made by tests and by a person at the console: an instance the group replaces during a release. */
function terminateInstanceInGroup(model: Model, input: TerminateInstanceInAutoScalingGroupType) {
  const instance = input.InstanceId ? model.state.instances[input.InstanceId] : undefined
  if (!instance) throw errors.validation(`Instance Id not found - No managed instance found for instance ID: ${input.InstanceId}`)
  const group = requireChangeable(model, instance.group)
  const decrement = input.ShouldDecrementDesiredCapacity === true
  if (decrement && group.desired <= group.min) {
    throw errors.validation(
      `Currently, desired-capacity=${group.desired} is equal to min-size=${group.min} and cannot be decremented further.`,
    )
  }
  const before = group.desired
  terminateInstance(model, instance)
  if (decrement) group.desired -= 1
  reconcileCapacity(model, group)
  return {
    Activity: activity(
      model,
      group,
      `Terminating EC2 instance: ${instance.id}`,
      `At ${iso(model.now)} instance ${instance.id} was taken out of service in response to a user request` +
        (decrement ? `, shrinking the capacity from ${before} to ${group.desired}.` : '.'),
    ),
  }
}

const COMMANDS: Record<string, CommandHandler> = {
  DescribeAutoScalingGroups: describeAutoScalingGroups,
  DescribeAutoScalingInstances: describeAutoScalingInstances,
  UpdateAutoScalingGroup: updateAutoScalingGroup,
  SetDesiredCapacity: setDesiredCapacity,
  AttachTrafficSources: attachTrafficSources,
  DetachTrafficSources: detachTrafficSources,
  DescribeTrafficSources: describeTrafficSources,
  EnterStandby: enterStandbyCommand,
  ExitStandby: exitStandbyCommand,
  TerminateInstanceInAutoScalingGroup: terminateInstanceInGroup,
}

export const handleAutoScaling = serviceHandler('autoscaling', COMMANDS)
