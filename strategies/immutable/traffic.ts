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

/** Attaches a group to every traffic source and waits until it is InService in each. Idempotent. */
export async function attachAndWait(move: TrafficMove, group: string): Promise<void> {
  await move.fleet.attachTrafficSources(group, move.sources)
  await waitForSources(move, group, `to be InService in`, (state) => state?.state === 'InService')
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
): Promise<void> {
  await pollUntil(
    async () => {
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
