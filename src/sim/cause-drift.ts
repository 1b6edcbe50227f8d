import type {Model} from './model.js'
import {launchInstance, reconcileCapacity, ZonePlacement, groupInstances} from './instances.js'
import {findStack, isLive, templateOf} from './stacks.js'

/**
 * Drift caused by hand, for demos and tests (`release sim drift`): what someone does outside
 * CloudFormation and outside `release`, written straight into the account.
 */
export type DriftChange =
  /** Someone changed a server by hand: it now runs `version`. */
  | {kind: 'instance'; instanceId: string; version: string}
  /** Someone edited a stack resource in the console: CloudFormation drift detection reports it. */
  | {kind: 'stack'; stackName: string; logicalId: string; property: string; value: string}
  /** Someone set a group's desired capacity by hand (a retained group scaled back up, UpdateAutoScalingGroup). */
  | {kind: 'group'; group: string; desired: number}
  /** Someone launched an instance on an old version into a group (an old AMI, a launch template version pinned by hand). */
  | {kind: 'launch'; group: string; version: string}

/** A drift change naming what the account does not hold (the caller reports it as bad input). */
export class DriftChangeError extends Error {}

export function causeDrift(model: Model, change: DriftChange): string {
  if (change.kind === 'instance') {
    const instance = model.state.instances[change.instanceId]
    if (!instance || instance.lifecycle === 'Terminated') throw new DriftChangeError(`the simulated account has no running instance ${change.instanceId}`)
    const before = instance.version
    instance.version = change.version
    return `instance ${change.instanceId} now runs ${change.version} (was ${before ?? 'no version'})`
  }
  if (change.kind === 'group' || change.kind === 'launch') return changeGroup(model, change)
  const stack = findStack(model, change.stackName, false)
  if (!stack || !isLive(stack)) throw new DriftChangeError(`the simulated account has no stack ${change.stackName}`)
  if (!stack.resources[change.logicalId]) {
    throw new DriftChangeError(`stack ${change.stackName} has no resource ${change.logicalId} (it has: ${stack.order.join(', ')})`)
  }
  const path = change.property.startsWith('/') ? change.property : `/Properties/${change.property}`
  const expected = expectedValue(stack.templateBody, change.logicalId, path, stack.parameters)
  const drifts = (stack.drifts ??= {})
  const list = (drifts[change.logicalId] ??= []).filter((d) => d.property !== path)
  // Set back to what the template says: no longer a difference.
  drifts[change.logicalId] = change.value === expected ? list : [...list, {property: path, expected, actual: change.value}]
  return `stack ${change.stackName}: ${change.logicalId} ${path} is now ${change.value} outside CloudFormation (the template says ${expected})`
}

/** The template's value at a /Properties/... path, parameters (Ref) resolved; "" when absent. */
function expectedValue(templateBody: string, logicalId: string, path: string, parameters: Record<string, string>): string {
  let node: unknown
  try {
    node = (templateOf(templateBody) as unknown as {Resources?: Record<string, unknown>}).Resources?.[logicalId]
  } catch {
    return ''
  }
  for (const key of path.split('/').filter(Boolean)) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined
  if (node && typeof node === 'object' && 'Ref' in node) return parameters[String(node.Ref)] ?? ''
  return node === undefined ? '' : typeof node === 'string' ? node : JSON.stringify(node)
}

/**
 * A group changed by hand, as Auto Scaling would carry it out: a new desired capacity (MaxSize raised
 * with it, as the console does) launches or terminates instances; a launch adds one instance of the
 * given version and raises the desired capacity by one so that the group keeps it.
 */
function changeGroup(model: Model, change: Extract<DriftChange, {kind: 'group' | 'launch'}>): string {
  const group = model.state.groups[change.group]
  if (!group || group.deleting) throw new DriftChangeError(`the simulated account has no Auto Scaling group ${change.group}`)
  if (change.kind === 'group') {
    if (!Number.isInteger(change.desired) || change.desired < 0) throw new DriftChangeError(`--desired must be a whole number from 0, not ${change.desired}`)
    const before = group.desired
    group.desired = change.desired
    group.max = Math.max(group.max, change.desired)
    group.min = Math.min(group.min, change.desired)
    reconcileCapacity(model, group)
    return `group ${change.group}: desired capacity ${change.desired} (was ${before}), set outside release`
  }
  const active = groupInstances(model, group).filter((i) => i.lifecycle !== 'Terminating' && i.lifecycle !== 'Terminated')
  group.desired += 1
  group.max = Math.max(group.max, group.desired)
  const instance = launchInstance(model, group, new ZonePlacement(group, active), {version: change.version})
  reconcileCapacity(model, group)
  return `group ${change.group}: launched ${instance.id} on ${change.version} by hand (desired capacity now ${group.desired})`
}
