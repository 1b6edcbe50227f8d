import {isUnhealthyVersion} from './faults.js'
import type {Model} from './model.js'
import type {GroupRecord, InstanceRecord, SimTargetGroup, TargetGroupRecord, TargetRecord, TaskBody} from './types.js'

/**
 * Elastic Load Balancing target groups and the health of their targets, as AWS documents them
 * (DescribeTargetHealth): an instance registered by its Auto Scaling group starts `initial`
 * (Elb.RegistrationInProgress) and turns `healthy` after HealthyThresholdCount passed checks, or
 * `unhealthy` after UnhealthyThresholdCount failed ones, one check per HealthCheckIntervalSeconds.
 * A deregistered target is `draining` for the deregistration delay, then gone. What the load balancer
 * checks is the application: an instance of a bad version fails it even though EC2 status checks pass.
 */

export const TARGET_GROUP_DEFAULTS = {
  intervalSeconds: 30,
  healthyThreshold: 5,
  unhealthyThreshold: 2,
  deregistrationDelaySeconds: 300,
} as const

/** How long after a target turns unhealthy its Auto Scaling group acts on it (its periodic health check). */
const AUTO_SCALING_HEALTH_LAG_MS = 10_000
const TARGET_GROUP_ARN = /^arn:aws[-a-z]*:elasticloadbalancing:[^:]*:\d{12}:targetgroup\/([^/]+)\/[^/]+$/
/** Registered targets that take part in health checks (not draining). */
const CHECKED = new Set(['initial', 'healthy', 'unhealthy'])

export function isTargetGroupArn(identifier: string): boolean {
  return TARGET_GROUP_ARN.test(identifier)
}

/** Refuses target groups that would not make sense, before anything is opened. */
export function checkTargetGroups(groups: Record<string, SimTargetGroup> | undefined): void {
  const within = (arn: string, name: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
      throw new RangeError(`Simulated target group ${arn}: ${name} must be an integer from ${min} to ${max}`)
    }
  }
  for (const [arn, group] of Object.entries(groups ?? {})) {
    if (!isTargetGroupArn(arn)) throw new RangeError(`Simulated target group ${JSON.stringify(arn)} is not a target group ARN`)
    within(arn, 'intervalSeconds', group.intervalSeconds, 5, 300)
    within(arn, 'healthyThreshold', group.healthyThreshold, 2, 10)
    within(arn, 'unhealthyThreshold', group.unhealthyThreshold, 2, 10)
    within(arn, 'deregistrationDelaySeconds', group.deregistrationDelaySeconds, 0, 3600)
  }
}

export function targetGroups(model: Model): Record<string, TargetGroupRecord> {
  return (model.state.targetGroups ??= {})
}

/** Creates the target groups the account does not have; leaves the others as they are. */
export function seedTargetGroups(model: Model, groups: Record<string, SimTargetGroup> | undefined): void {
  for (const [arn, settings] of Object.entries(groups ?? {})) ensureTargetGroup(model, arn, settings)
}

export function ensureTargetGroup(model: Model, arn: string, settings: SimTargetGroup = {}): void {
  const known = targetGroups(model)
  if (known[arn]) return
  known[arn] = {
    arn,
    name: TARGET_GROUP_ARN.exec(arn)?.[1] ?? arn,
    intervalSeconds: settings.intervalSeconds ?? TARGET_GROUP_DEFAULTS.intervalSeconds,
    healthyThreshold: settings.healthyThreshold ?? TARGET_GROUP_DEFAULTS.healthyThreshold,
    unhealthyThreshold: settings.unhealthyThreshold ?? TARGET_GROUP_DEFAULTS.unhealthyThreshold,
    deregistrationDelaySeconds: settings.deregistrationDelaySeconds ?? TARGET_GROUP_DEFAULTS.deregistrationDelaySeconds,
    targets: {},
  }
}

export function findTargetGroup(model: Model, arn: string): TargetGroupRecord | undefined {
  return targetGroups(model)[arn]
}

/**
 * Whether the instance answers the load balancer's health check: not for a version that fails
 * (faults.unhealthyVersions), nor once it degraded or was set Unhealthy.
 */
export function passesElbCheck(model: Model, instance: InstanceRecord): boolean {
  if (isUnhealthyVersion(model.faults, instance.version)) return false
  if (instance.health !== 'Healthy') return false
  return true
}

/** An instance that serves traffic through its group: InService (Standby ones are deregistered). */
function registrable(instance: InstanceRecord | undefined): boolean {
  return instance?.lifecycle === 'InService'
}

function scheduleCheck(model: Model, group: TargetGroupRecord, target: TargetRecord, passes: boolean): void {
  target.checking = true
  target.generation += 1
  const checks = passes ? group.healthyThreshold : group.unhealthyThreshold
  model.schedule(checks * group.intervalSeconds * 1000, {
    kind: 'target.checked',
    targetGroup: group.arn,
    instanceId: target.id,
    generation: target.generation,
  })
}

/** `settled`: a seeded fleet's instances were registered long before the account was opened. */
function register(model: Model, tg: TargetGroupRecord, instance: InstanceRecord, settled: boolean): void {
  const existing = tg.targets[instance.id]
  if (existing && CHECKED.has(existing.state)) return
  const target: TargetRecord = {
    id: instance.id,
    group: instance.group,
    state: 'initial',
    reason: 'Elb.RegistrationInProgress',
    checking: false,
    generation: existing?.generation ?? 0,
  }
  tg.targets[instance.id] = target
  const passes = passesElbCheck(model, instance)
  if (settled) {
    target.state = passes ? 'healthy' : 'unhealthy'
    target.reason = passes ? undefined : 'Target.ResponseCodeMismatch'
  } else {
    scheduleCheck(model, tg, target, passes)
  }
}

function deregister(model: Model, tg: TargetGroupRecord, target: TargetRecord): void {
  if (!CHECKED.has(target.state)) return
  target.state = 'draining'
  target.reason = 'Target.DeregistrationInProgress'
  target.checking = false
  target.generation += 1
  model.schedule(tg.deregistrationDelaySeconds * 1000, {
    kind: 'target.drained',
    targetGroup: tg.arn,
    instanceId: target.id,
    generation: target.generation,
  })
}

/** The target groups a group is registered with now (its elbv2 sources that are Added or InService). */
function registeredGroups(model: Model, group: GroupRecord): TargetGroupRecord[] {
  return group.trafficSources
    .filter((source) => source.state === 'Added' || source.state === 'InService')
    .map((source) => findTargetGroup(model, source.identifier))
    .filter((tg): tg is TargetGroupRecord => tg !== undefined)
}

/**
 * Brings one instance's registrations in line with its lifecycle: registered while InService in the
 * group's target groups, draining otherwise; a check is scheduled when its health changed.
 */
export function syncInstanceTargets(model: Model, group: GroupRecord, instance: InstanceRecord, settled = false): void {
  const registered = registeredGroups(model, group)
  for (const tg of registered) {
    const target = tg.targets[instance.id]
    if (!registrable(instance)) {
      if (target) deregister(model, tg, target)
      continue
    }
    if (!target || !CHECKED.has(target.state)) {
      register(model, tg, instance, settled)
      continue
    }
    const passes = passesElbCheck(model, instance)
    const shows = target.state === 'healthy'
    if (!target.checking && (target.state === 'initial' || passes !== shows)) scheduleCheck(model, tg, target, passes)
  }
}

/** Every instance of the group, and deregistration from target groups it no longer is attached to. */
export function syncGroupTargets(model: Model, group: GroupRecord, settled = false): void {
  const attached = new Set(registeredGroups(model, group).map((tg) => tg.arn))
  for (const tg of Object.values(targetGroups(model))) {
    if (attached.has(tg.arn)) continue
    for (const target of Object.values(tg.targets)) if (target.group === group.name) deregister(model, tg, target)
  }
  for (const id of group.instanceIds) {
    const instance = model.state.instances[id]
    if (instance) syncInstanceTargets(model, group, instance, settled)
  }
}

/** At least one of the group's instances passed the target group's health check (TrafficSourceState InService). */
export function groupHasHealthyTarget(model: Model, group: GroupRecord, arn: string): boolean {
  const tg = findTargetGroup(model, arn)
  if (!tg) return false
  return Object.values(tg.targets).some((target) => target.group === group.name && target.state === 'healthy')
}

/** The slowest deregistration delay among the target groups (ms), or undefined when none is known. */
export function deregistrationDelayMs(model: Model, arn: string): number | undefined {
  const tg = findTargetGroup(model, arn)
  return tg ? tg.deregistrationDelaySeconds * 1000 : undefined
}

type TargetTask = Extract<TaskBody, {kind: `target.${string}`}>

/**
 * Applies a scheduled target transition. Returns the instance's group when something changed there,
 * and, when Auto Scaling must replace the instance (an ELB health check failed on a group whose
 * HealthCheckType is ELB, after the grace period), the instance to replace.
 */
export function applyTargetTask(
  model: Model,
  task: TargetTask,
): {group: GroupRecord; replace?: InstanceRecord; recheckAt?: number} | undefined {
  const tg = findTargetGroup(model, task.targetGroup)
  const target = tg?.targets[task.instanceId]
  if (!tg || !target || target.generation !== task.generation) return undefined
  const group = model.state.groups[target.group]
  if (task.kind === 'target.drained') {
    delete tg.targets[task.instanceId]
    return group ? {group} : undefined
  }
  target.checking = false
  const instance = model.state.instances[task.instanceId]
  if (!instance || !group) return undefined
  const passes = passesElbCheck(model, instance)
  const wasUnhealthy = target.state === 'unhealthy'
  target.state = passes ? 'healthy' : 'unhealthy'
  target.reason = passes ? undefined : 'Target.ResponseCodeMismatch'
  if (passes || group.healthCheckType !== 'ELB') return {group}
  // Auto Scaling learns of the failed check on its own next health check, and ignores it within the grace period.
  const actsAt = Math.max(instance.launchedAt + group.healthCheckGracePeriod * 1000, wasUnhealthy ? model.now : model.now + AUTO_SCALING_HEALTH_LAG_MS)
  return model.now >= actsAt ? {group, replace: instance} : {group, recheckAt: actsAt}
}

/** Re-checks a target later (a failed check within the group's grace period is not acted on yet). */
export function recheckLater(model: Model, arn: string, instanceId: string, at: number): void {
  const tg = findTargetGroup(model, arn)
  const target = tg?.targets[instanceId]
  if (!tg || !target) return
  target.checking = true
  target.generation += 1
  model.schedule(at - model.now, {kind: 'target.checked', targetGroup: arn, instanceId, generation: target.generation})
}
