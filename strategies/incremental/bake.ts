import type {BakeInput} from '../../machines/incremental-inputs.js'
import {bakeLoop} from '../bake.js'
import {unhealthyInstances} from '../instance-health.js'
import type {IncrementalDeps} from './deps.js'
import {fleetMembers} from './fleet.js'

/**
 * Watches the fleet until the bake deadline kept in the context: an instance that turns unhealthy, to its
 * group or to the load balancer in any of the group's target groups, sends the release back. A fleet found by tags has no group health to watch; its verify already ran.
 */
export function bake(deps: IncrementalDeps) {
  return async (input: BakeInput): Promise<void> => {
    const {clock, fleet, settings, report, targets} = deps
    const deadline = Date.parse(input.bakeUntil)
    const group = 'group' in settings.fleet ? settings.fleet.group : null
    report({
      releaseId: input.releaseId,
      step: 'baking',
      message: `watching the fleet for ${Math.max(0, Math.round((deadline - clock.now()) / 1000))}s more (until ${input.bakeUntil})`,
    })
    const targetGroups = group ? (await fleetMembers(deps)).targetGroups : []
    await bakeLoop({
      clock,
      deadline,
      pollIntervalMs: settings.pollIntervalMs,
      look: async () => {
        if (!group) return
        const info = await fleet.describeGroup(group)
        const inService = (info?.instances ?? []).filter((i) => i.lifecycle === 'InService')
        const unhealthy = unhealthyInstances(inService)
        if (unhealthy.length > 0) {
          throw new Error(`${unhealthy.length} instances became unhealthy during the bake (${unhealthy.map((i) => i.id).join(', ')})`)
        }
        // What traffic sees: the load balancer's health check, in every target group of the group.
        if (!targets) return
        for (const targetGroup of targetGroups) {
          const failing = (await targets.describeTargetHealth(targetGroup, inService.map((i) => i.id))).filter((t) => t.state === 'unhealthy')
          if (failing.length > 0) {
            throw new Error(
              `${failing.length} instances failed the health check of target group ${targetGroup} during the bake (${failing.map((t) => `${t.instanceId}${t.reason ? `: ${t.reason}` : ''}`).join(', ')})`,
            )
          }
        }
      },
    })
  }
}
