import type {AttachedGroup} from '../../src/ports/fleet.js'
import {TAG, type ImmutableDeps} from './deps.js'

/** Tags a group's version may be read from, ours first (stack tags propagate to the group). */
const VERSION_TAGS = [TAG.version, 'Version', 'version']

/** The version a group's tags say it runs, or 'unknown'. */
export function versionOfGroup(group: Pick<AttachedGroup, 'tags'>): string {
  for (const key of VERSION_TAGS) {
    const value = group.tags[key]
    if (value) return value
  }
  return 'unknown'
}

/** Every group now attached to the target's traffic sources, whoever made it. */
export function servingGroups(deps: Pick<ImmutableDeps, 'fleet' | 'settings'>): Promise<AttachedGroup[]> {
  return deps.fleet.groupsAttachedTo(deps.settings.trafficSources)
}

/**
 * After a shift or a rollback, exactly `expected` serves the traffic sources (or nothing, for null):
 * two versions behind the load balancer is never a success. Returns the sentence the verdict repeats.
 */
export async function checkOnlyServing(deps: Pick<ImmutableDeps, 'fleet' | 'settings'>, expected: string | null): Promise<string> {
  if (deps.settings.trafficSources.length === 0) return 'the target has no traffic sources: no load balancer to serve'
  const serving = await servingGroups(deps)
  const others = serving.filter((g) => g.name !== expected)
  if (others.length > 0) {
    throw new Error(
      `besides ${expected ?? 'nothing'}, ${others.map((g) => `${g.name} (version ${versionOfGroup(g)})`).join(', ')} also serve${others.length === 1 ? 's' : ''} ${deps.settings.trafficSources.join(', ')}`,
    )
  }
  if (expected !== null && !serving.some((g) => g.name === expected)) {
    throw new Error(`${expected} does not serve ${deps.settings.trafficSources.join(', ')}`)
  }
  return expected === null ? 'no group serves the traffic sources' : `only ${expected} serves the traffic sources`
}
