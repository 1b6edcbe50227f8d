import type {Clock} from '../ports/clock.js'
import {type Random, unseededRandom} from './random.js'
import {isTransientTransport} from './transport.js'

/** Error names AWS services use when they throttle a caller (they differ per service and protocol). */
export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  // DynamoDB, on a table with provisioned capacity.
  'ProvisionedThroughputExceededException',
])

/**
 * `throttling`: AWS asked us to slow down; `transient`: AWS's own server error; `transport`: no
 * answer (reset, timeout, DNS) or a 5xx that is not AWS's (src/util/transport.ts).
 */
export type RetryKind = 'throttling' | 'transient' | 'transport'

interface ErrorShape {
  name?: unknown
  $fault?: unknown
  $retryable?: {throttling?: boolean}
  $metadata?: {httpStatusCode?: number}
}

/** Why an error is worth another attempt, or undefined when it is not (and must surface at once). */
export function retryKind(error: unknown): RetryKind | undefined {
  if (error === null || typeof error !== 'object') return undefined
  const e = error as ErrorShape
  if (typeof e.name === 'string' && THROTTLING_ERROR_NAMES.has(e.name)) return 'throttling'
  if (e.$retryable?.throttling === true) return 'throttling'
  if (e.$metadata?.httpStatusCode === 429) return 'throttling'
  if (e.$fault === 'server') return 'transient'
  if (e.$retryable !== undefined) return 'transient'
  if (isTransientTransport(error)) return 'transport'
  return undefined
}

export interface RetryBudgetOptions {
  /** Spacing after the first throttle; spacing that relaxes below it drops to none. Default 200 ms. */
  minSpacingMs?: number
  /** Ceiling of the spacing between calls. Default 10 s. */
  maxSpacingMs?: number
  /** Factor applied to the spacing after each success (0..1). Default 0.7. */
  relax?: number
}

/**
 * The adaptive part of retrying, shared by every call to one service (like the SDK's adaptive retry
 * mode, but on our clock): throttling doubles a minimum spacing between calls, each success shrinks
 * it. A throttling storm therefore slows all callers of the service, not only the one that was
 * throttled, and the pace recovers once calls succeed again. Throttles that arrive together (calls
 * that were in flight at once) count as one, so concurrency does not escalate the spacing.
 */
export class RetryBudget {
  private spacing = 0
  private nextSlot = Number.NEGATIVE_INFINITY
  private lastIncrease = Number.NEGATIVE_INFINITY
  private readonly minSpacingMs: number
  private readonly maxSpacingMs: number
  private readonly relax: number

  constructor(
    readonly service: string,
    options: RetryBudgetOptions = {},
  ) {
    this.minSpacingMs = options.minSpacingMs ?? 200
    this.maxSpacingMs = Math.max(this.minSpacingMs, options.maxSpacingMs ?? 10_000)
    this.relax = options.relax ?? 0.7
  }

  /** Current minimum time between two calls to the service, in ms (0 when not throttled lately). */
  get spacingMs(): number {
    return this.spacing
  }

  /** Waits for this call's turn; concurrent callers reserve successive slots. */
  async acquire(clock: Clock): Promise<void> {
    const now = clock.now()
    const slot = Math.max(now, this.nextSlot)
    this.nextSlot = slot + this.spacing
    if (slot > now) await clock.sleep(slot - now)
  }

  /** A call was throttled at `now`: space the next calls further apart, starting from now. */
  recordThrottle(now: number): void {
    if (now >= this.lastIncrease + this.spacing) {
      this.spacing = Math.min(this.maxSpacingMs, Math.max(this.minSpacingMs, this.spacing * 2))
      this.lastIncrease = now
    }
    this.nextSlot = Math.max(this.nextSlot, now + this.spacing)
  }

  recordSuccess(): void {
    if (this.spacing <= 0) return
    this.spacing *= this.relax
    if (this.spacing < this.minSpacingMs) this.spacing = 0
  }
}

export interface RetryAttempt {
  /** 1 for the first retry. */
  retry: number
  kind: RetryKind
  delayMs: number
  error: unknown
}

export interface RetryOptions {
  clock: Clock
  /**
   * Retries after the first attempt. Default 15: with a budget, consecutive throttles keep the calls
   * at least ~100 s apart in total, so a minute-long throttling storm is ridden out.
   */
  retries?: number
  /**
   * Retries of transport errors, within `retries`. Default 8: about half a minute of backoff rides
   * out a reset or a proxy's hiccup, and an endpoint that cannot be reached is said within a minute.
   */
  transportRetries?: number
  /** Backoff cap of the first retry; doubles per retry. Default 250 ms. */
  baseMs?: number
  /** Largest backoff cap. Default 20 s. */
  maxMs?: number
  /** For the full jitter; default an unseeded generator. Pass `seededRandom(n)` in tests. */
  random?: Random
  /** Shared by all calls of one service; without it, retrying is not adaptive. */
  budget?: RetryBudget
  onRetry?: (attempt: RetryAttempt) => void
}

export const RETRY_DEFAULTS = {retries: 15, transportRetries: 8, baseMs: 250, maxMs: 20_000} as const

/**
 * Calls `fn`, retrying throttling, transient server errors and transport errors (only for calls that
 * are safe to repeat: see src/aws/send-once.ts for the one that is not) with exponential backoff and full
 * jitter, slept on the injected clock (and, with a budget, no sooner than the service's spacing). Other errors surface at once; once the retries are spent the
 * last error surfaces as it was.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const {clock, budget, onRetry} = options
  const retries = options.retries ?? RETRY_DEFAULTS.retries
  const transportRetries = Math.min(retries, options.transportRetries ?? RETRY_DEFAULTS.transportRetries)
  const baseMs = options.baseMs ?? RETRY_DEFAULTS.baseMs
  const maxMs = options.maxMs ?? RETRY_DEFAULTS.maxMs
  const random = options.random ?? unseededRandom()
  for (let attempt = 0; ; attempt++) {
    await budget?.acquire(clock)
    try {
      const result = await fn()
      budget?.recordSuccess()
      return result
    } catch (error) {
      const kind = retryKind(error)
      if (kind === undefined) throw error
      if (kind === 'throttling') budget?.recordThrottle(clock.now())
      if (attempt >= (kind === 'transport' ? transportRetries : retries)) throw error
      const cap = Math.min(maxMs, baseMs * 2 ** attempt)
      const delayMs = Math.floor(random() * cap)
      onRetry?.({retry: attempt + 1, kind, delayMs, error})
      await clock.sleep(delayMs)
    }
  }
}
