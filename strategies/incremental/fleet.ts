import type {IncrementalDeps} from './deps.js'

export interface FleetMembers {
  /** The Auto Scaling group, when the fleet is one. */
  group: string | null
  instanceIds: string[]
  /** The group's instances still launching (Pending): not changed, but a reader of the fleet can name them. */
  launching: string[]
  /** Instances of a group with traffic sources go to Standby while they change, so no request reaches them. */
  standby: boolean
  /** The ELB target groups the group is registered with: where an instance back from Standby must be healthy again. */
  targetGroups: string[]
}

/** The instances an incremental target changes: a group's InService instances, or managed instances by tags. */
export async function fleetMembers(deps: IncrementalDeps): Promise<FleetMembers> {
  const selector = deps.settings.fleet
  if ('group' in selector) {
    const group = await deps.fleet.describeGroup(selector.group)
    if (!group) throw new Error(`Auto Scaling group ${selector.group} does not exist`)
    const sources = await deps.fleet.describeTrafficSources(selector.group)
    const instanceIds = group.instances.filter((i) => i.lifecycle === 'InService').map((i) => i.id)
    const serving = sources.filter((s) => s.state !== 'Removed' && s.state !== 'Removing')
    return {
      group: selector.group,
      instanceIds,
      launching: group.instances.filter((i) => i.lifecycle.startsWith('Pending')).map((i) => i.id),
      standby: serving.length > 0,
      targetGroups: serving.map((s) => s.identifier).filter((id) => id.includes(':targetgroup/')),
    }
  }
  return {group: null, instanceIds: await deps.commands.instancesByTags(selector.tags), launching: [], standby: false, targetGroups: []}
}

export function describeFleet(deps: IncrementalDeps): string {
  const selector = deps.settings.fleet
  return 'group' in selector
    ? `group ${selector.group}`
    : `instances tagged ${Object.entries(selector.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`
}
