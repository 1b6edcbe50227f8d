import type {BakeInput} from '../../machines/immutable-inputs.js'
import {bakeLoop} from '../bake.js'
import {unhealthyInstances} from '../instance-health.js'
import {describeGroupOrThrow, instanceCounts} from './group.js'
import type {ImmutableDeps} from './deps.js'

/**
 * Watches the new group until the bake deadline kept in the context (a resumed bake keeps its deadline).
 * The old group is still running, so a failure here is undone by re-attaching it.
 */
export function bake(deps: ImmutableDeps) {
  return async (input: BakeInput): Promise<void> => {
    const {fleet, clock, report, settings} = deps
    const deadline = Date.parse(input.bakeUntil)
    const left = Math.max(0, Math.round((deadline - clock.now()) / 1000))
    const message = `watching the new group for ${left}s more${input.oldGroup ? `; the old group ${input.oldGroup} stays running` : ''}`
    await bakeLoop({
      clock,
      deadline,
      pollIntervalMs: settings.pollIntervalMs,
      look: async () => {
        // The same line every poll (the journal keeps it once); the countdown rides beside it.
        report({releaseId: input.releaseId, step: 'baking', message, remainingMs: Math.max(0, deadline - clock.now())})
        const group = await describeGroupOrThrow(fleet, input.newGroup)
        const unhealthy = unhealthyInstances(group.instances)
        if (unhealthy.length > 0) {
          const counts = instanceCounts(group)
          throw new Error(
            `${unhealthy.length} of ${counts.total} instances of version ${input.version} became unhealthy during the bake (${unhealthy
              .map((i) => i.id)
              .join(', ')})`,
          )
        }
      },
    })
  }
}
