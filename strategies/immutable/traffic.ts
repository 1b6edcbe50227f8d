import type {Clock} from '../../src/ports/clock.js'
import type {FleetPort, TrafficSourceState} from '../../src/ports/fleet.js'
import type {TargetGroupPort} from '../../src/ports/targets.js'
import {pollUntil} from '../../src/util/poll.js'

export interface TrafficMove {
  fleet: FleetPort
  targets?: TargetGroupPort
  clock: Clock
  sources: string[]
  deadline: number
  pollIntervalMs: number
}

const TARGET_GROUP = /:targetgroup\//

/**
 * Attaches a group to every traffic source and waits until traffic can reach it. For a target group
 * that is when every InService instance of the group is `healthy` there (DescribeTargetHealth), which
 * holds whatever the group's HealthCheckType: with EC2 health checks Auto Scaling leaves the source
 * `Added` for good, so its state alone would wait out the timeout. Other sources: InService.
 * Idempotent. Fails at once when the version shows bad: an instance unhealthy to EC2, a target that
 * failed the load balancer's health check, or the group replacing instances it found unhealthy.
 */
export async function attachAndWait(move: TrafficMove, group: string): Promise<void> {
  // A target with no traffic sources (an on-demand copy by default) has no traffic to move.
  if (move.sources.length === 0) return
  await move.fleet.attachTrafficSources(group, move.sources)
  await pollUntil(
    async () => {
      const serving = await judgeGroup(move, group)
      if (!serving.ready) return undefined
      const states = await move.fleet.describeTrafficSources(group)
      const others = move.sources.filter((id) => !isTargetGroup(move, id))
      return others.every((id) => states.find((s) => s.identifier === id)?.state === 'InService') ? true : undefined
    },
    pollOptions(move, group, `to be healthy in`),
  )
}

/**
 * Detaches a group from every traffic source and waits until it is gone from each (the target
 * groups' deregistration delay included). Idempotent. `watch` runs on every poll: the shift uses it
 * to keep judging the new group while both serve.
 */
export async function detachAndWait(move: TrafficMove, group: string, watch?: () => Promise<void>): Promise<void> {
  if (move.sources.length === 0) return
  await move.fleet.detachTrafficSources(group, move.sources)
  await pollUntil(
    async () => {
      await watch?.()
      const states = await move.fleet.describeTrafficSources(group)
      const gone = (state: TrafficSourceState | undefined) => state === undefined || state.state === 'Removed'
      return move.sources.every((id) => gone(states.find((s) => s.identifier === id))) ? true : undefined
    },
    pollOptions(move, group, `to leave`),
  )
}

/** Throws when the group shows a bad version; `ready` when every InService instance is healthy in every target group. */
export async function judgeGroup(move: TrafficMove, group: string): Promise<{ready: boolean}> {
  const info = await move.fleet.describeGroup(group)
  const instances = info?.instances ?? []
  const unhealthy = instances.filter((i) => i.health !== 'Healthy' && i.lifecycle !== 'Terminated')
  if (unhealthy.length > 0) {
    const replacing = unhealthy.some((i) => i.lifecycle.startsWith('Terminating'))
    throw new Error(
      `${unhealthy.length} instances of group ${group} turned unhealthy while joining the traffic sources` +
        `${replacing ? ', and the group is replacing them' : ''} (${unhealthy.map((i) => i.id).join(', ')})`,
    )
  }
  const inService = instances.filter((i) => i.lifecycle === 'InService').map((i) => i.id)
  let ready = info !== undefined && inService.length >= info.desired && inService.length > 0
  // Without a target group port there is no target group to ask (isTargetGroup is false for every source).
  const targets = move.targets
  if (!targets) return {ready}
  for (const source of move.sources.filter((id) => isTargetGroup(move, id))) {
    const health = await targets.describeTargetHealth(source, inService)
    const failed = health.filter((t) => t.state === 'unhealthy')
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} of ${inService.length} instances of group ${group} failed the health check of target group ${source}` +
          ` (${failed.map((t) => `${t.instanceId}: ${t.reason ?? 'unhealthy'}`).join(', ')})`,
      )
    }
    if (!health.every((t) => t.state === 'healthy')) ready = false
  }
  return {ready}
}

function isTargetGroup(move: TrafficMove, identifier: string): boolean {
  return move.targets !== undefined && TARGET_GROUP.test(identifier)
}

function pollOptions(move: TrafficMove, group: string, what: string) {
  return {
    clock: move.clock,
    deadline: move.deadline,
    intervalMs: move.pollIntervalMs,
    maxIntervalMs: move.pollIntervalMs * 3,
    what: `group ${group} ${what} ${move.sources.join(', ')}`,
  }
}
