import type {StepInput} from '../../machines/immutable.js'
import {describeGroupOrThrow, instanceCounts, isUnhealthy} from './group.js'
import type {ImmutableDeps} from './deps.js'

/**
 * Watches the new group until the bake deadline kept in context (a resumed bake keeps its deadline).
 * The old group is still running, so a failure here is undone by re-attaching it.
 */
export function bake(deps: ImmutableDeps) {
  return async ({input: {context}}: {input: StepInput}): Promise<void> => {
    const {fleet, clock, report, settings} = deps
    const deadline = Date.parse(context.bakeUntil!)
    const groupName = context.newStack!.group!
    const left = Math.max(0, Math.round((deadline - clock.now()) / 1000))
    const message = `watching the new group for ${left}s more${context.oldGroup ? `; the old group ${context.oldGroup} stays running` : ''}`
    for (;;) {
      // The same line every poll (the journal keeps it once); the countdown rides beside it.
      report({releaseId: context.releaseId, step: 'baking', message, remainingMs: Math.max(0, deadline - clock.now())})
      const group = await describeGroupOrThrow(fleet, groupName)
      const unhealthy = group.instances.filter(isUnhealthy)
      if (unhealthy.length > 0) {
        const counts = instanceCounts(group)
        throw new Error(
          `${unhealthy.length} of ${counts.total} instances of version ${context.version} became unhealthy during the bake (${unhealthy
            .map((i) => i.id)
            .join(', ')})`,
        )
      }
      const remaining = deadline - clock.now()
      if (remaining <= 0) return
      await clock.sleep(Math.min(remaining, settings.pollIntervalMs))
    }
  }
}
