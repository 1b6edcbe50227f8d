import type {Clock} from '../src/ports/clock.js'

export interface BakeLoop {
  clock: Clock
  /** Epoch ms: the deadline kept in the machine's context, so a resumed bake does not start over. */
  deadline: number
  pollIntervalMs: number
  /** One look at what bakes; throws when the version shows bad, which sends the release back. */
  look: () => Promise<void>
}

/**
 * The bake of both strategies: a look at once, then one every poll interval (the last one shorter)
 * until the deadline. A bake whose deadline has passed still looks once before it ends.
 */
export async function bakeLoop({clock, deadline, pollIntervalMs, look}: BakeLoop): Promise<void> {
  for (;;) {
    await look()
    const remaining = deadline - clock.now()
    if (remaining <= 0) return
    await clock.sleep(Math.min(remaining, pollIntervalMs))
  }
}
