import {userDataParameter} from './user-data.js'
import {degradeAfterMs, matchesAny} from './faults.js'
import type {Model} from './model.js'
import {detachTrafficSource, refreshTrafficSources} from './traffic.js'
import type {GroupRecord, GroupTag, InstanceRecord, TaskBody} from './types.js'

/**
 * Auto Scaling groups and their instances: launch (Pending -> InService after boot), health by
 * version, scale-in newest first (Terminating -> Terminated -> removed), standby. Every change of an
 * instance's lifecycle, health or version goes through this file, which keeps model.tracker current.
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
  versionParameter?: string
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

/** The tags of the group's instances: those it propagates at launch, and the one Auto Scaling adds. */
export function instanceTags(group: GroupRecord): Record<string, string> {
  const tags: Record<string, string> = {'aws:autoscaling:groupName': group.name}
  for (const tag of group.tags) if (tag.PropagateAtLaunch) tags[tag.Key] = tag.Value
  return tags
}

/** Counts of active instances per zone, to launch into the emptiest zone. */
export class ZonePlacement {
  private readonly counts: Map<string, number>

  constructor(group: GroupRecord, active: readonly InstanceRecord[]) {
    this.counts = new Map(group.zones.map((zone) => [zone, 0]))
    for (const instance of active) this.counts.set(instance.zone, (this.counts.get(instance.zone) ?? 0) + 1)
  }

  next(fallback: string): string {
    let best: string | undefined
    let fewest = Infinity
    for (const [zone, count] of this.counts) {
      if (count < fewest) {
        best = zone
        fewest = count
      }
    }
    const zone = best ?? fallback
    this.counts.set(zone, (this.counts.get(zone) ?? 0) + 1)
    return zone
  }
}

/** Launches or terminates (newest first) until the active instances match the desired capacity. */
export function reconcileCapacity(model: Model, group: GroupRecord): void {
  const active = groupInstances(model, group).filter((instance) => ACTIVE.has(instance.lifecycle))
  if (active.length < group.desired) {
    const placement = new ZonePlacement(group, active)
    for (let i = active.length; i < group.desired; i++) launchInstance(model, group, placement)
  }
  const surplus = active.length - group.desired
  if (surplus > 0) {
    for (const instance of active.slice(-surplus).reverse()) terminateInstance(model, instance)
  }
  refreshTrafficSources(model, group)
}

/**
 * The version a new instance runs: a seeded fleet's published version (its Parameter Store
 * parameter), else the one its launch template's user data reads from Parameter Store, else the group's propagated Version tag, else the launch template's instance tag,
 * else the stack's Version parameter (or the fleet's seed version).
 */
function launchVersion(model: Model, group: GroupRecord): string | undefined {
  if (group.versionParameter) {
    const published = model.state.parameters[group.versionParameter]
    const latest = published?.history.at(-1)
    if (latest) return latest.value
  }
  const template = group.launchTemplate && model.state.launchTemplates[group.launchTemplate.id]
  // A boot script that installs what Parameter Store holds (src/sim/user-data.ts) boots the live version.
  const read = userDataParameter(template?.data['UserData'], group.tags.filter((tag) => tag.PropagateAtLaunch))
  const published = read === undefined ? undefined : model.state.parameters[read]?.history.at(-1)
  if (published) return published.value
  const groupTag = group.tags.find((tag) => tag.Key === 'Version' && tag.PropagateAtLaunch)
  if (groupTag) return groupTag.Value
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

/**
 * A new instance in the emptiest zone: Pending until it boots, or with `running`, InService at once
 * with its agent registered unless its version is in faults.unregisteredVersions (a seeded fleet that was there before the account was opened).
 */
export function launchInstance(
  model: Model,
  group: GroupRecord,
  placement: ZonePlacement,
  options: {running?: boolean; version?: string} = {},
): InstanceRecord {
  const running = options.running === true
  const version = options.version ?? launchVersion(model, group)
  const instance: InstanceRecord = {
    id: `i-${model.random.hex(17)}`,
    group: group.name,
    version,
    lifecycle: running ? 'InService' : 'Pending',
    health: 'Healthy',
    zone: placement.next(`${model.state.region}a`),
    launchedAt: model.now,
    booted: running,
    // A seeded fleet of a version without an instance profile never registered either.
    agentRegistered: running && !matchesAny(model.faults.unregisteredVersions, version),
    launchTemplate: group.launchTemplate ? {...group.launchTemplate} : undefined,
    deliveryRoll: model.random.next(),
  }
  model.state.instances[instance.id] = instance
  group.instanceIds.push(instance.id)
  if (running) assessHealth(model, instance)
  else model.schedule(model.delay(model.timings.instanceBootMs), {kind: 'instance.booted', instanceId: instance.id})
  model.tracker.add(instance)
  return instance
}

function setLifecycle(model: Model, instance: InstanceRecord, lifecycle: string): void {
  instance.lifecycle = lifecycle
  model.tracker.update(instance)
}

export function terminateInstance(model: Model, instance: InstanceRecord): void {
  if (instance.lifecycle === 'Terminating' || instance.lifecycle === 'Terminated') return
  setLifecycle(model, instance, 'Terminating')
  model.schedule(model.delay(model.timings.terminateMs), {kind: 'instance.terminated', instanceId: instance.id})
}

/**
 * EC2 status checks pass whatever the application does: an instance of a bad version
 * (faults.unhealthyVersions) is Healthy here and fails only the load balancer's health check
 * (targets.ts) and the commands that check it (script.ts). A version that degrades turns Unhealthy
 * later (the instance itself fails, as an alarm or a failing status check would show).
 */
function assessHealth(model: Model, instance: InstanceRecord): void {
  instance.health = 'Healthy'
  model.tracker.update(instance)
  const degradeMs = degradeAfterMs(model.faults, instance.version)
  if (instance.health === 'Healthy' && degradeMs !== undefined) {
    model.schedule(degradeMs, {kind: 'instance.degraded', instanceId: instance.id, version: instance.version})
  }
}

/** What `release-sim set-version <v>` does on an instance (in-place change). */
export function setInstanceVersion(model: Model, instance: InstanceRecord, version: string): void {
  instance.version = version
  model.tracker.update(instance)
  if (instance.lifecycle === 'Terminating' || instance.lifecycle === 'Terminated') return
  assessHealth(model, instance)
  const group = model.state.groups[instance.group]
  if (group) refreshTrafficSources(model, group, instance)
}

/** The caller reconciles the group's capacity once after moving all its instances. */
export function enterStandby(model: Model, group: GroupRecord, instance: InstanceRecord, decrement: boolean): void {
  setLifecycle(model, instance, 'EnteringStandby')
  model.schedule(model.draw(`standby:${instance.id}`).delay(model.timings.standbyMs), {kind: 'instance.standby', instanceId: instance.id})
  if (decrement) group.desired -= 1
}

export function exitStandby(model: Model, group: GroupRecord, instance: InstanceRecord): void {
  setLifecycle(model, instance, 'Pending')
  group.desired += 1
  model.schedule(model.draw(`inService:${instance.id}`).delay(model.timings.standbyMs), {kind: 'instance.inService', instanceId: instance.id})
}

/**
 * Back in service after Standby: still Unhealthy if its version had degraded, Healthy otherwise (EC2
 * status checks pass for a bad version; its targets fail the load balancer's checks once registered).
 */
function returnToService(model: Model, instance: InstanceRecord): void {
  instance.lifecycle = 'InService'
  const degraded = instance.health === 'Unhealthy' && degradeAfterMs(model.faults, instance.version) !== undefined
  instance.health = degraded ? 'Unhealthy' : 'Healthy'
  model.tracker.update(instance)
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
      // InService does not mean SSM managed: the agent registers a while later, or never.
      if (!matchesAny(model.faults.unregisteredVersions, instance.version)) {
        model.schedule(model.delay(model.timings.agentRegistrationMs), {kind: 'instance.registered', instanceId: instance.id})
      }
      break
    case 'instance.registered':
      instance.agentRegistered = true
      break
    case 'instance.inService':
      if (instance.lifecycle !== 'Pending') return
      returnToService(model, instance)
      break
    case 'instance.degraded':
      if (instance.version !== task.version || instance.lifecycle === 'Terminating') return
      if (instance.lifecycle === 'Terminated') return
      instance.health = 'Unhealthy'
      model.tracker.update(instance)
      break
    case 'instance.standby':
      if (instance.lifecycle !== 'EnteringStandby') return
      setLifecycle(model, instance, 'Standby')
      break
    case 'instance.terminated':
      if (instance.lifecycle !== 'Terminating') return
      setLifecycle(model, instance, 'Terminated')
      model.schedule(model.delay(REMOVED_AFTER_MS), {kind: 'instance.removed', instanceId: instance.id})
      break
    case 'instance.removed': {
      delete model.state.instances[instance.id]
      model.tracker.remove(instance.id)
      const at = group ? group.instanceIds.indexOf(instance.id) : -1
      if (group && at >= 0) group.instanceIds.splice(at, 1)
      break
    }
  }
  if (group) refreshTrafficSources(model, group, instance)
}

/**
 * What a group whose HealthCheckType is ELB does with an instance that failed the load balancer's
 * health check: marks it Unhealthy, terminates it and launches a replacement (which boots the same
 * launch template, so the same version).
 */
export function replaceUnhealthyInstance(model: Model, group: GroupRecord, instance: InstanceRecord): void {
  if (instance.lifecycle !== 'InService' || group.deleting) return
  instance.health = 'Unhealthy'
  model.tracker.update(instance)
  terminateInstance(model, instance)
  reconcileCapacity(model, group)
}
