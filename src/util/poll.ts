import type {Clock} from '../ports/clock.js'
import type {Random} from './random.js'

/** The deadline of a wait passed. The awaited thing may still happen: this says nothing about failure. */
export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError'
  constructor(
    readonly what: string,
    readonly waitedMs: number,
    readonly deadline: number,
  ) {
    super(
      `Timed out after ${formatDuration(waitedMs)} waiting for ${what} (deadline ${new Date(deadline).toISOString()}); it may still finish later`,
    )
  }
}

export function isPollTimeout(error: unknown): error is PollTimeoutError {
  return error instanceof PollTimeoutError
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
  /** Spreads each interval by up to +-jitter/2 of itself (0..1), using `random`. Default 0. */
  jitter?: number
  random?: Random
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
  const jitter = options.jitter ?? 0
  const started = clock.now()
  let interval = Math.min(options.intervalMs, maxIntervalMs)
  for (;;) {
    const result = await check()
    if (result !== undefined) return result
    const now = clock.now()
    if (now >= deadline) throw new PollTimeoutError(what, now - started, deadline)
    const spread = jitter > 0 && options.random ? interval * jitter * (options.random() - 0.5) : 0
    await clock.sleep(Math.max(1, Math.min(interval + spread, deadline - now)))
    interval = Math.min(maxIntervalMs, interval * backoff)
  }
}

export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds % 3600) / 60)
  const s = totalSeconds % 60
  if (h > 0) return `${h}h ${m}m ${s}s`
  if (m > 0) return `${m}m ${s}s`
  return `${s}s`
}
