import type {Clock} from '../ports/clock.js'
import {formatDuration} from './duration.js'

/** The deadline of a wait passed. The awaited thing may still happen: this says nothing about failure. */
export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError'
  constructor(
    readonly what: string,
    readonly waitedMs: number,
    readonly deadline: number,
  ) {
    super(
      `Timed out after ${formatDuration(waitedMs, 1000)} waiting for ${what} (deadline ${new Date(deadline).toISOString()}); it may still finish later`,
    )
  }
}

export interface PollOptions {
  clock: Clock
  /** Absolute deadline in ms on the clock. */
  deadline: number
  /** First interval between checks. */
  intervalMs: number
  /** The interval grows up to this. */
  maxIntervalMs: number
  /** Growth factor of the interval after each check. Default 1.5. */
  backoff?: number
  /** What is awaited, for the timeout message, e.g. "stack web-r12 to finish creating". */
  what: string
}

/**
 * Calls `check` until it returns a value, sleeping on the clock between calls with a growing interval.
 * The last check happens at the deadline (never after it); a deadline already passed still gets one
 * check, so that a resumed wait can see an operation that finished while nobody watched.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const {clock, deadline, maxIntervalMs, what} = options
  const backoff = options.backoff ?? 1.5
  const started = clock.now()
  let interval = Math.min(options.intervalMs, maxIntervalMs)
  for (;;) {
    const result = await check()
    if (result !== undefined) return result
    const now = clock.now()
    if (now >= deadline) throw new PollTimeoutError(what, now - started, deadline)
    await clock.sleep(Math.max(1, Math.min(interval, deadline - now)))
    interval = Math.min(maxIntervalMs, interval * backoff)
  }
}
