import type {Clock} from '../../src/ports/clock.js'
import type {FleetPort, TrafficSourceState} from '../../src/ports/fleet.js'
import {pollUntil} from '../../src/util/poll.js'

export interface TrafficMove {
  fleet: FleetPort
  clock: Clock
  sources: string[]
  deadline: number
  pollIntervalMs: number
}

/**
 * Attaches a group to every traffic source and waits until it is InService in each. Idempotent. A
 * group whose instances turn unhealthy will never be InService there: that fails at once.
 */
export async function attachAndWait(move: TrafficMove, group: string): Promise<void> {
  await move.fleet.attachTrafficSources(group, move.sources)
  await waitForSources(move, group, `to be InService in`, (state) => state?.state === 'InService', async () => {
    const info = await move.fleet.describeGroup(group)
    const unhealthy = (info?.instances ?? []).filter((i) => i.lifecycle === 'InService' && i.health !== 'Healthy')
    if (unhealthy.length > 0) {
      throw new Error(`${unhealthy.length} instances of group ${group} turned unhealthy while joining the traffic sources (${unhealthy.map((i) => i.id).join(', ')})`)
    }
  })
}

/** Detaches a group from every traffic source and waits until it is gone from each. Idempotent. */
export async function detachAndWait(move: TrafficMove, group: string): Promise<void> {
  await move.fleet.detachTrafficSources(group, move.sources)
  await waitForSources(move, group, `to leave`, (state) => state === undefined || state.state === 'Removed')
}

async function waitForSources(
  move: TrafficMove,
  group: string,
  what: string,
  settled: (state: TrafficSourceState | undefined) => boolean,
  check?: () => Promise<void>,
): Promise<void> {
  await pollUntil(
    async () => {
      await check?.()
      const states = await move.fleet.describeTrafficSources(group)
      const done = move.sources.every((id) => settled(states.find((s) => s.identifier === id)))
      return done ? true : undefined
    },
    {
      clock: move.clock,
      deadline: move.deadline,
      intervalMs: move.pollIntervalMs,
      maxIntervalMs: move.pollIntervalMs * 3,
      what: `group ${group} ${what} ${move.sources.join(', ')}`,
    },
  )
}
