import type {FleetPort, GroupInfo} from '../../src/ports/fleet.js'
import {isServing, isUnhealthy} from '../instance-health.js'
import type {StackPort} from '../../src/ports/stacks.js'

/** The Auto Scaling group a release stack created (its template holds exactly one). */
export async function groupOfStack(stacks: StackPort, stackName: string): Promise<string> {
  const resources = await stacks.listResources(stackName)
  const groups = resources.filter((r) => r.type === 'AWS::AutoScaling::AutoScalingGroup' && r.physicalId)
  const [group] = groups
  if (groups.length !== 1 || !group?.physicalId) {
    throw new Error(
      `stack ${stackName} has ${groups.length} Auto Scaling groups; an immutable target's template must create exactly one`,
    )
  }
  return group.physicalId
}

export async function describeGroupOrThrow(fleet: FleetPort, name: string): Promise<GroupInfo> {
  const group = await fleet.describeGroup(name)
  if (!group) throw new Error(`Auto Scaling group ${name} no longer exists`)
  return group
}

export {isServing, isUnhealthy} from '../instance-health.js'

export function instanceCounts(group: GroupInfo) {
  const live = group.instances.filter((i) => i.lifecycle !== 'Terminated' && i.lifecycle !== 'Terminating')
  return {
    total: Math.max(group.desired, live.length),
    ready: live.filter(isServing).length,
    unhealthy: live.filter(isUnhealthy).length,
  }
}
