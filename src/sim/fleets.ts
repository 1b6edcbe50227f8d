import {desiredVersionParameter} from '../ports/parameters.js'
import {fleetRole} from './fleet-role.js'
import {createGroup, launchInstance, ZonePlacement} from './instances.js'
import type {Model} from './model.js'
import {ensureTargetGroup, syncGroupTargets} from './targets.js'
import {refreshTrafficSources, trafficType} from './traffic.js'
import type {SimFleet} from './types.js'

/**
 * Seeded fleets (SimOptions.fleets): Auto Scaling groups made outside any stack, like a database
 * fleet that was there before any release. Created when the account is opened without them (so two
 * processes opening one account create each once), never re-created or resized while they exist.
 *
 * A seeded group has min `min` (0), max `max` (`instances`) and desired `instances`; its instances are InService at once (health
 * by their version's faults), SSM managed, and registered with the fleet's target groups (created
 * with the fleet when the account does not have them), whose health checks they already passed.
 * The group propagates two tags to its instances: Name = the group name, and Role = the group name
 * without a trailing `-fleet` (group `api-fleet`: Role=api), so that a fleet can be found by tags
 * (DescribeInstanceInformation with tag:Role). A replacement instance boots the version published in
 * the fleet's `versionParameter` (what its user data reads; default /release/<Role>/version) when
 * there is one, else the seed version. That parameter is the fleet's launch configuration, so a
 * fleet the account already has takes a changed one for its next launches, as a group whose launch
 * template is updated does (an account made before environments read /release/api/version, while a
 * release in environment prod publishes /release/prod-api/version).
 */

const MAX_INSTANCES = 100_000
const GROUP_NAME = /^[\x20-\x7e]{1,255}$/

export {fleetRole}

/** Refuses fleets that would not make sense, before anything is opened. */
export function checkFleets(fleets: Record<string, SimFleet> | undefined): void {
  for (const [name, fleet] of Object.entries(fleets ?? {})) {
    if (!GROUP_NAME.test(name)) throw new RangeError(`Simulated fleet name ${JSON.stringify(name)} is not an Auto Scaling group name`)
    if (!Number.isInteger(fleet?.instances) || fleet.instances < 0 || fleet.instances > MAX_INSTANCES) {
      throw new RangeError(`Simulated fleet ${name}: instances must be an integer from 0 to ${MAX_INSTANCES}`)
    }
    if (typeof fleet.version !== 'string' || fleet.version.trim() === '') {
      throw new RangeError(`Simulated fleet ${name}: version must be a non-empty string`)
    }
    const min = fleet.min ?? 0
    const max = fleet.max ?? fleet.instances
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || min > fleet.instances || max < fleet.instances || max > MAX_INSTANCES) {
      throw new RangeError(`Simulated fleet ${name}: min and max must be integers with 0 <= min <= instances <= max`)
    }
    if (fleet.versionParameter !== undefined && (typeof fleet.versionParameter !== 'string' || !fleet.versionParameter.startsWith('/'))) {
      throw new RangeError(`Simulated fleet ${name}: versionParameter must be a Parameter Store name starting with /`)
    }
    if (fleet.trafficSources !== undefined && !fleet.trafficSources.every((source) => typeof source === 'string' && source !== '')) {
      throw new RangeError(`Simulated fleet ${name}: trafficSources must be identifiers (target group ARNs)`)
    }
  }
}

/** Creates the fleets the account does not have; leaves the others as they are. */
export function seedFleets(model: Model, fleets: Record<string, SimFleet> | undefined): void {
  for (const [name, fleet] of Object.entries(fleets ?? {})) {
    const existing = model.state.groups[name]
    if (existing) {
      if (fleet.versionParameter !== undefined && existing.stackId === undefined) existing.versionParameter = fleet.versionParameter
      continue
    }
    const role = fleetRole(name)
    const sources = [...new Set(fleet.trafficSources ?? [])]
    const group = createGroup(model, {
      name,
      min: 0,
      max: fleet.max ?? fleet.instances,
      desired: 0,
      tags: [
        {Key: 'Name', Value: name, PropagateAtLaunch: true},
        {Key: 'Role', Value: role, PropagateAtLaunch: true},
      ],
      // EC2 status checks, the group's default: the group does not replace an instance whose target
      // fails the load balancer's health check (an in-place release must restore those itself).
      healthCheckType: 'EC2',
      healthCheckGracePeriod: 300,
      stackVersion: fleet.version,
      versionParameter: fleet.versionParameter ?? desiredVersionParameter(role),
    })
    group.desired = fleet.instances
    group.min = fleet.min ?? 0
    const placement = new ZonePlacement(group, [])
    for (let i = 0; i < fleet.instances; i++) launchInstance(model, group, placement, {running: true, version: fleet.version})
    for (const identifier of sources) {
      const type = trafficType(identifier, undefined)
      // The fleet's load balancer was there before it: its target groups exist, its instances are registered.
      if (type === 'elbv2') ensureTargetGroup(model, identifier)
      group.trafficSources.push({identifier, type, state: 'Added'})
    }
    syncGroupTargets(model, group, true)
    refreshTrafficSources(model, group)
  }
}
