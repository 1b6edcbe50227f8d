import type {NewGroupInput} from '../../machines/immutable-inputs.js'
import {pollUntil} from '../../src/util/poll.js'
import {unhealthyInstances} from '../instance-health.js'
import {describeGroupOrThrow, instanceCounts} from './group.js'
import type {ImmutableDeps} from './deps.js'

/**
 * Waits until every instance of the new group is InService and healthy. Fails as soon as every
 * instance has booted and any of them reports unhealthy: waiting longer would not make the version good.
 */
export function awaitCapacity(deps: ImmutableDeps) {
  return async (input: NewGroupInput): Promise<void> => {
    const {fleet, clock, report, settings} = deps
    const groupName = input.newGroup
    let lastReported = ''
    await pollUntil(
      async () => {
        const group = await describeGroupOrThrow(fleet, groupName)
        const counts = instanceCounts(group)
        const line = `${counts.ready}/${counts.total} instances InService and healthy`
        if (line !== lastReported) {
          lastReported = line
          report({releaseId: input.releaseId, step: 'awaitingCapacity', message: line, instances: counts})
        }
        const booting = group.instances.some((i) => i.lifecycle === 'Pending')
        if (counts.unhealthy > 0 && !booting) {
          const bad = unhealthyInstances(group.instances)
          throw new Error(
            `${bad.length} of ${counts.total} instances of version ${input.version} failed their health checks (${bad
              .map((i) => i.id)
              .join(', ')})`,
          )
        }
        return group.desired > 0 && counts.ready >= group.desired ? true : undefined
      },
      {
        clock,
        deadline: clock.now() + settings.timeouts.capacityMs,
        intervalMs: settings.pollIntervalMs,
        maxIntervalMs: settings.pollIntervalMs * 3,
        what: `instances of group ${groupName} to be InService and healthy`,
      },
    )
  }
}
