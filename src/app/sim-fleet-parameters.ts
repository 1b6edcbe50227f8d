/**
 * Which Parameter Store parameter each seeded fleet of the simulated account boots from.
 *
 * A real fleet learns the version to install from its launch template's user data, which its owner
 * wrote to read the parameter `release` publishes for the target that changes the fleet
 * (`aws ssm get-parameter --name /release/prod-api/version`, see examples/quickstart/db.yml). The
 * seeded fleets of release.yml's `simulated.fleets` stand for such fleets, set up outside `release`,
 * so their "user data" is written here the way their owner would: from the target and environment
 * whose `fleet` is the group, with the very rule releases publish under (desiredVersionParameter of
 * the target's resource name, `<env>-<target>` in a named environment). The simulated group keeps the
 * name as its launch configuration does, and a new instance reads that parameter when it boots.
 */
import {environmentNames, forEnvironment, resourceName} from '../config/environments.js'
import type {ReleaseConfig} from '../config/types.js'
import {desiredVersionParameter} from '../ports/parameters.js'
import {fleetRole} from '../sim/fleet-role.js'
import type {SimFleet} from '../sim/types.js'

/** release.yml's seeded fleets, each with the parameter its instances read at boot when a target changes it. */
export function fleetsWithVersionParameters(config: ReleaseConfig): Record<string, SimFleet> {
  const fleets: Record<string, SimFleet> = {}
  for (const [group, fleet] of Object.entries(config.simulated.fleets)) {
    const parameter = parameterOfGroup(config, group)
    fleets[group] = parameter === undefined ? fleet : {...fleet, versionParameter: parameter}
  }
  return fleets
}

function parameterOfGroup(config: ReleaseConfig, group: string): string | undefined {
  // The seeded group's propagated tags (src/sim/fleets.ts): a fleet chosen by tags matches on them.
  const tags: Record<string, string> = {Name: group, Role: fleetRole(group)}
  const names = environmentNames(config)
  // Environments in release.yml order: one group changed by two environments (which release.yml
  // should not do) boots what the first publishes. On-demand copies make their groups from templates,
  // never change a seeded one.
  for (const name of names.length === 0 ? [undefined] : names) {
    if (name !== undefined && config.environments?.[name]?.source !== undefined) continue
    const view = forEnvironment(config, name)
    if (view.region !== config.region) continue
    for (const target of Object.values(view.targets)) {
      if (target.strategy !== 'incremental') continue
      const {fleet} = target
      const changes = 'group' in fleet ? fleet.group === group : Object.entries(fleet.tags).every(([k, v]) => tags[k] === String(v))
      if (changes) return desiredVersionParameter(resourceName(target))
    }
  }
  return undefined
}
