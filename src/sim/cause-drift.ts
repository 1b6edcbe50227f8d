import type {Model} from './model.js'
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
