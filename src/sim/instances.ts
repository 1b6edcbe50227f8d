import {degradeAfterMs, isUnhealthyVersion} from './faults.js'
import type {Model} from './model.js'
import {detachTrafficSource, refreshTrafficSources} from './traffic.js'
import type {GroupRecord, GroupTag, InstanceRecord, TaskBody} from './types.js'

/**
 * Auto Scaling groups and their instances: launch (Pending -> InService after boot), health by
 * version, scale-in newest first (Terminating -> Terminated -> removed), standby.
 */

const REMOVED_AFTER_MS: [number, number] = [1_000, 3_000]
/** Lifecycle states that count toward the group's desired capacity. */
const ACTIVE = new Set(['Pending', 'InService'])

export interface GroupSpec {
  name: string
  stackId?: string
  min: number
  max: number
  desired: number
  launchTemplate?: {id: string; name: string; version: string}
  tags: GroupTag[]
  healthCheckType: string
  healthCheckGracePeriod: number
  stackVersion?: string
}

export function createGroup(model: Model, spec: GroupSpec): GroupRecord {
  const {region, accountId} = model.state
  const group: GroupRecord = {
    ...spec,
    arn: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:${model.random.uuid()}:autoScalingGroupName/${spec.name}`,
    createdAt: model.now,
    zones: [`${region}a`, `${region}b`, `${region}c`],
    instanceIds: [],
    trafficSources: [],
  }
  model.state.groups[group.name] = group
  reconcileCapacity(model, group)
  return group
}

export function groupInstances(model: Model, group: GroupRecord): InstanceRecord[] {
  return group.instanceIds.map((id) => model.state.instances[id]).filter((i): i is InstanceRecord => !!i)
}

/** Launches or terminates (newest first) until the active instances match the desired capacity. */
export function reconcileCapacity(model: Model, group: GroupRecord): void {
  const active = groupInstances(model, group).filter((instance) => ACTIVE.has(instance.lifecycle))
  for (let i = active.length; i < group.desired; i++) launchInstance(model, group)
  const surplus = active.length - group.desired
  if (surplus > 0) {
    for (const instance of active.slice(-surplus).reverse()) terminateInstance(model, instance)
  }
  refreshTrafficSources(model, group)
}

/** The Version tag: the group's propagated tag, else the launch template's instance tag, else the stack's Version parameter. */
function launchVersion(model: Model, group: GroupRecord): string | undefined {
  const groupTag = group.tags.find((tag) => tag.Key === 'Version' && tag.PropagateAtLaunch)
  if (groupTag) return groupTag.Value
  const template = group.launchTemplate && model.state.launchTemplates[group.launchTemplate.id]
  const specs = template?.data['TagSpecifications']
  if (Array.isArray(specs)) {
    for (const spec of specs as {ResourceType?: unknown; Tags?: unknown}[]) {
      if (spec?.ResourceType !== 'instance' || !Array.isArray(spec.Tags)) continue
      const tag = (spec.Tags as {Key?: unknown; Value?: unknown}[]).find((entry) => entry?.Key === 'Version')
      if (tag && tag.Value !== undefined) return String(tag.Value)
    }
  }
  return group.stackVersion
}

function launchInstance(model: Model, group: GroupRecord): InstanceRecord {
  const perZone = new Map(group.zones.map((zone) => [zone, 0]))
  for (const instance of groupInstances(model, group)) {
    if (ACTIVE.has(instance.lifecycle)) perZone.set(instance.zone, (perZone.get(instance.zone) ?? 0) + 1)
  }
  const zone = [...perZone.entries()].sort((a, b) => a[1] - b[1])[0]?.[0] ?? `${model.state.region}a`
  const instance: InstanceRecord = {
    id: `i-${model.random.hex(17)}`,
    group: group.name,
    version: launchVersion(model, group),
    lifecycle: 'Pending',
    health: 'Healthy',
    zone,
    launchedAt: model.now,
    booted: false,
    launchTemplate: group.launchTemplate ? {...group.launchTemplate} : undefined,
    deliveryRoll: model.random.next(),
  }
  model.state.instances[instance.id] = instance
  group.instanceIds.push(instance.id)
  model.schedule(model.delay(model.timings.instanceBootMs), {kind: 'instance.booted', instanceId: instance.id})
  return instance
}

export function terminateInstance(model: Model, instance: InstanceRecord): void {
  if (instance.lifecycle === 'Terminating' || instance.lifecycle === 'Terminated') return
  instance.lifecycle = 'Terminating'
  model.schedule(model.delay(model.timings.terminateMs), {kind: 'instance.terminated', instanceId: instance.id})
}

/** Health follows the version's faults; a version that degrades turns Unhealthy later. */
function assessHealth(model: Model, instance: InstanceRecord): void {
  instance.health = isUnhealthyVersion(model.faults, instance.version) ? 'Unhealthy' : 'Healthy'
  const degradeMs = degradeAfterMs(model.faults, instance.version)
  if (instance.health === 'Healthy' && degradeMs !== undefined) {
    model.schedule(degradeMs, {kind: 'instance.degraded', instanceId: instance.id, version: instance.version})
  }
}

/** What `release-sim set-version <v>` does on an instance (in-place change). */
export function setInstanceVersion(model: Model, instance: InstanceRecord, version: string): void {
  instance.version = version
  if (instance.lifecycle === 'Terminating' || instance.lifecycle === 'Terminated') return
  assessHealth(model, instance)
  const group = model.state.groups[instance.group]
  if (group) refreshTrafficSources(model, group)
}

export function enterStandby(model: Model, group: GroupRecord, instance: InstanceRecord, decrement: boolean): void {
  instance.lifecycle = 'EnteringStandby'
  model.schedule(model.delay(model.timings.standbyMs), {kind: 'instance.standby', instanceId: instance.id})
  if (decrement) group.desired -= 1
  reconcileCapacity(model, group)
}

export function exitStandby(model: Model, group: GroupRecord, instance: InstanceRecord): void {
  instance.lifecycle = 'Pending'
  group.desired += 1
  model.schedule(model.delay(model.timings.standbyMs), {kind: 'instance.inService', instanceId: instance.id})
  refreshTrafficSources(model, group)
}

/** Starts deleting a group: capacity to zero, every instance terminating, traffic sources detaching. */
export function beginGroupDeletion(model: Model, group: GroupRecord): void {
  group.deleting = true
  group.min = 0
  group.max = 0
  group.desired = 0
  for (const source of group.trafficSources) detachTrafficSource(model, group, source.identifier)
  for (const instance of groupInstances(model, group)) terminateInstance(model, instance)
  refreshTrafficSources(model, group)
}

type InstanceTask = Extract<TaskBody, {kind: `instance.${string}`}>

export function applyInstanceTask(model: Model, task: InstanceTask): void {
  const instance = model.state.instances[task.instanceId]
  if (!instance) return
  const group = model.state.groups[instance.group]
  switch (task.kind) {
    case 'instance.booted':
      if (instance.lifecycle !== 'Pending' || instance.booted) return
      instance.booted = true
      instance.lifecycle = 'InService'
      assessHealth(model, instance)
      break
    case 'instance.inService':
      if (instance.lifecycle !== 'Pending') return
      instance.lifecycle = 'InService'
      break
    case 'instance.degraded':
      if (instance.version !== task.version || instance.lifecycle === 'Terminating') return
      if (instance.lifecycle === 'Terminated') return
      instance.health = 'Unhealthy'
      break
    case 'instance.standby':
      if (instance.lifecycle !== 'EnteringStandby') return
      instance.lifecycle = 'Standby'
      break
    case 'instance.terminated':
      if (instance.lifecycle !== 'Terminating') return
      instance.lifecycle = 'Terminated'
      model.schedule(model.delay(REMOVED_AFTER_MS), {kind: 'instance.removed', instanceId: instance.id})
      break
    case 'instance.removed':
      delete model.state.instances[instance.id]
      if (group) group.instanceIds = group.instanceIds.filter((id) => id !== instance.id)
      break
  }
  if (group) refreshTrafficSources(model, group)
}
