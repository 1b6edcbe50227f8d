import type {Model} from './model.js'
import {deregistrationDelayMs, findTargetGroup, groupHasHealthyTarget, syncGroupTargets, syncInstanceTargets} from './targets.js'
import type {GroupRecord, InstanceRecord, TaskBody} from './types.js'

/**
 * Traffic sources of Auto Scaling groups (AttachTrafficSources): Adding -> Added after a delay (the
 * group's InService instances are registered as targets then). A target group source is InService
 * only while the group's HealthCheckType is ELB and one of its instances passed the target group's
 * health check (AWS's TrafficSourceState); with EC2 health checks it stays Added. Other sources are
 * InService while the group has an InService, Healthy instance. Detaching: Removing for as long as
 * the target group's deregistration delay -> Removed -> gone.
 */

const GONE_AFTER_MS: [number, number] = [2_000, 5_000]
const ATTACHED = new Set(['Adding', 'Added', 'InService'])

/** The traffic source type Auto Scaling infers from an identifier when none is given. */
export function trafficType(identifier: string, type: string | undefined): string {
  if (type) return type
  if (identifier.includes(':targetgroup/')) return 'elbv2'
  if (identifier.includes('vpc-lattice')) return 'vpc-lattice'
  return 'elb'
}

/** Idempotent: a source already attached (or attaching) is left as it is. */
export function attachTrafficSource(model: Model, group: GroupRecord, identifier: string, type: string): void {
  const existing = group.trafficSources.find((source) => source.identifier === identifier)
  if (existing && ATTACHED.has(existing.state)) return
  if (existing) {
    existing.state = 'Adding'
    existing.type = type
  } else {
    group.trafficSources.push({identifier, type, state: 'Adding'})
  }
  model.schedule(model.delay(model.timings.trafficAttachMs), {kind: 'traffic.added', group: group.name, identifier})
}

/** Idempotent: sources not attached, or already leaving, are ignored. */
export function detachTrafficSource(model: Model, group: GroupRecord, identifier: string): void {
  const existing = group.trafficSources.find((source) => source.identifier === identifier)
  if (!existing || !ATTACHED.has(existing.state)) return
  existing.state = 'Removing'
  syncGroupTargets(model, group)
  // Deregistered targets drain for the target group's deregistration delay before the source is Removed.
  const delay = Math.max(model.delay(model.timings.trafficAttachMs), deregistrationDelayMs(model, identifier) ?? 0)
  model.schedule(delay, {kind: 'traffic.removed', group: group.name, identifier})
}

/** Has an InService, Healthy instance (Standby ones are deregistered, so they never count). */
export function groupServesTraffic(model: Model, group: GroupRecord): boolean {
  return model.tracker.serving(group.name) > 0
}

/**
 * Re-derives the targets and Added <-> InService after anything that changes the group's instances:
 * with `instance`, only that instance changed (so a large group is not walked on every transition).
 */
export function refreshTrafficSources(model: Model, group: GroupRecord, instance?: InstanceRecord): void {
  if (instance) syncInstanceTargets(model, group, instance)
  else syncGroupTargets(model, group)
  const serving = groupServesTraffic(model, group)
  for (const source of group.trafficSources) {
    if (source.state !== 'Added' && source.state !== 'InService') continue
    const inService = findTargetGroup(model, source.identifier)
      ? group.healthCheckType === 'ELB' && groupHasHealthyTarget(model, group, source.identifier)
      : serving
    source.state = inService ? 'InService' : 'Added'
  }
}

type TrafficTask = Extract<TaskBody, {kind: `traffic.${string}`}>

export function applyTrafficTask(model: Model, task: TrafficTask): void {
  const group = model.state.groups[task.group]
  const source = group?.trafficSources.find((entry) => entry.identifier === task.identifier)
  if (!group || !source) return
  switch (task.kind) {
    case 'traffic.added':
      if (source.state !== 'Adding') return
      source.state = 'Added'
      refreshTrafficSources(model, group)
      return
    case 'traffic.removed':
      if (source.state !== 'Removing') return
      source.state = 'Removed'
      model.schedule(model.delay(GONE_AFTER_MS), {kind: 'traffic.gone', group: group.name, identifier: task.identifier})
      return
    case 'traffic.gone':
      if (source.state !== 'Removed') return
      group.trafficSources = group.trafficSources.filter((entry) => entry !== source)
      return
  }
}
