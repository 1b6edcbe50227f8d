import {describe, expect, it, vi} from 'vitest'
import {VirtualClock} from '../../src/util/clock.js'
import {seededRandom} from '../../src/util/random.js'
import {RETRY_DEFAULTS, RetryBudget, retryKind, withRetry} from '../../src/util/retry.js'

/** Errors shaped as the SDK shapes them: a name, and $fault / $retryable on service exceptions. */
function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), {name}, extra)
}

const throttled = () => awsError('Throttling', {$fault: 'client'})

/** Fails with the given errors in turn, then answers `value`. */
function failing<T>(errors: Error[], value: T) {
  let calls = 0
  const fn = async () => {
    const error = errors[calls++]
    if (error) throw error
    return value
  }
  return {fn, calls: () => calls}
}

describe('retryKind', () => {
  it('knows the throttling errors of each service and transient server faults', () => {
    for (const name of ['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']) {
      expect(retryKind(awsError(name))).toBe('throttling')
    }
    expect(retryKind(awsError('SlowDown', {$retryable: {throttling: true}}))).toBe('throttling')
    expect(retryKind(awsError('InternalFailure', {$fault: 'server'}))).toBe('transient')
    expect(retryKind(awsError('ValidationError', {$fault: 'client'}))).toBeUndefined()
    expect(retryKind(new Error('plain'))).toBeUndefined()
    expect(retryKind(undefined)).toBeUndefined()
  })
})

/** What Node and the SDK throw when the way to AWS fails, and what an answer from a proxy looks like. */
const reset = () => Object.assign(new Error('read ECONNRESET'), {code: 'ECONNRESET', $metadata: {attempts: 1}})
const timeout = () => Object.assign(new Error('Connection timed out after 30000 ms'), {name: 'TimeoutError'})
const proxyPage = (status: number) =>
  Object.assign(new Error(`Unexpected token '<', "<html>" is not valid JSON\n  Deserialization error: ...`), {
    name: 'SyntaxError',
    $metadata: {httpStatusCode: status},
  })

describe('retryKind of transport errors', () => {
  it('takes resets, timeouts, DNS failures and a 5xx that is not AWS for transport errors', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']) {
      expect(retryKind(Object.assign(new Error(code), {code}))).toBe('transport')
    }
    expect(retryKind(timeout())).toBe('transport')
    expect(retryKind(awsError('RequestTimeout'))).toBe('transport')
    expect(retryKind(proxyPage(502))).toBe('transport')
    // A well-formed XML page without an AWS error code: the SDK names it by the status.
    expect(retryKind(awsError('503', {$fault: 'client', $metadata: {httpStatusCode: 503}}))).toBe('transport')
    // A proxy refusing (4xx) is not worth asking again; a parse error without a status is our bug.
    expect(retryKind(proxyPage(403))).toBeUndefined()
    expect(retryKind(new SyntaxError('Unexpected token'))).toBeUndefined()
  })
})

describe('withRetry', () => {
  it('rides out transport errors on the injected clock, within their own bound', async () => {
    const clock = new VirtualClock()
    const {fn, calls} = failing([reset(), timeout(), proxyPage(502)], 'ok')
    await expect(withRetry(fn, {clock, random: seededRandom(2)})).resolves.toBe('ok')
    expect(calls()).toBe(4)

    const start = clock.now()
    const forever = failing(Array.from({length: 50}, reset), 'never')
    // No real sleeping: with the host's timers frozen, a retry that waited on a real timer would never
    // end (the test times out), however loaded the machine; no wall-clock bound needed.
    vi.useFakeTimers()
    try {
      await expect(withRetry(forever.fn, {clock, random: seededRandom(2)})).rejects.toMatchObject({code: 'ECONNRESET'})
    } finally {
      vi.useRealTimers()
    }
    expect(forever.calls()).toBe(RETRY_DEFAULTS.transportRetries + 1)
    // Bounded: the backoff of the transport retries stays around a minute at most.
    expect(clock.now() - start).toBeLessThan(70_000)
  })

  it('rides out throttling and server faults, sleeping only on the injected clock', async () => {
    const clock = new VirtualClock()
    const start = clock.now()
    const {fn, calls} = failing([throttled(), awsError('InternalError', {$fault: 'server'}), throttled()], 'ok')
    await expect(withRetry(fn, {clock, random: seededRandom(1)})).resolves.toBe('ok')
    expect(calls()).toBe(4)
    // The backoff was slept on the virtual clock (a real sleep would leave it where it was).
    expect(clock.now()).toBeGreaterThan(start)
  })

  it('rethrows a non-retryable error at once', async () => {
    const clock = new VirtualClock()
    const start = clock.now()
    const denied = awsError('AccessDenied', {$fault: 'client'})
    const {fn, calls} = failing([denied], 'never')
    await expect(withRetry(fn, {clock})).rejects.toBe(denied)
    expect(calls()).toBe(1)
    expect(clock.now()).toBe(start)
  })

  it('rethrows the last error once the retries are spent', async () => {
    const clock = new VirtualClock()
    const errors = [throttled(), throttled(), throttled(), throttled()]
    const {fn, calls} = failing(errors, 'never')
    await expect(withRetry(fn, {clock, retries: 3, random: seededRandom(3)})).rejects.toBe(errors[3])
    expect(calls()).toBe(4)
  })

  it('backs off exponentially with full jitter, capped at maxMs', async () => {
    const clock = new VirtualClock()
    const delays: number[] = []
    const {fn} = failing(Array.from({length: 8}, throttled), 'ok')
    // random() = 0.999...: each delay is just under its cap, which shows the caps themselves.
    await withRetry(fn, {clock, baseMs: 100, maxMs: 1000, random: () => 0.9999, onRetry: (a) => delays.push(a.delayMs)})
    expect(delays).toEqual([99, 199, 399, 799, 999, 999, 999, 999])
  })

  it('is deterministic for a seeded random', async () => {
    const run = async () => {
      const clock = new VirtualClock(0)
      const {fn} = failing(Array.from({length: 6}, throttled), 'ok')
      await withRetry(fn, {clock, random: seededRandom(7)})
      return clock.now()
    }
    expect(await run()).toBe(await run())
  })

  it('spaces out every call of a service after throttling and relaxes after successes', async () => {
    const clock = new VirtualClock(0)
    const budget = new RetryBudget('cloudformation', {minSpacingMs: 100, maxSpacingMs: 5000, relax: 0.5})
    const options = {clock, budget, random: () => 0}
    // A storm: five throttles in a row double the spacing each time, and the calls keep it although
    // the jittered backoff (random() = 0) would not wait at all.
    const storm = failing(Array.from({length: 5}, throttled), 'ok')
    await withRetry(storm.fn, options)
    expect(clock.now()).toBe(100 + 200 + 400 + 800 + 1600)
    // The success that ended the storm relaxed the spacing by half.
    expect(budget.spacingMs).toBe(800)

    // The next, unrelated call of the same service waits its turn although it was never throttled.
    await withRetry(async () => 'first', options)
    const before = clock.now()
    await withRetry(async () => 'second', options)
    expect(clock.now() - before).toBeGreaterThanOrEqual(400)

    // Successes relax the spacing back to nothing.
    for (let i = 0; i < 5; i++) await withRetry(async () => 'calm', options)
    expect(budget.spacingMs).toBe(0)
    const calm = clock.now()
    await withRetry(async () => 'calm', options)
    expect(clock.now()).toBe(calm)
  })

  it('caps the spacing', () => {
    const budget = new RetryBudget('ssm', {maxSpacingMs: 2000})
    for (let i = 0; i < 50; i++) budget.recordThrottle(i * 60_000)
    expect(budget.spacingMs).toBe(2000)
  })

  it('counts throttles that arrive together as one', () => {
    const budget = new RetryBudget('ssm', {minSpacingMs: 100})
    for (let i = 0; i < 20; i++) budget.recordThrottle(1000)
    expect(budget.spacingMs).toBe(100)
  })

  it('rides out a minute of throttling every call with the default settings', async () => {
    const clock = new VirtualClock(0)
    const budget = new RetryBudget('cloudformation')
    let calls = 0
    const fn = async () => {
      calls++
      if (clock.now() < 60_000) throw throttled()
      return 'through'
    }
    // random() = 0 is the worst case of full jitter: only the budget keeps the calls apart.
    await expect(withRetry(fn, {clock, budget, random: () => 0})).resolves.toBe('through')
    expect(calls).toBeLessThanOrEqual(16)
  })

  it('hands concurrent callers successive slots', async () => {
    const clock = new VirtualClock(0)
    const budget = new RetryBudget('autoscaling', {minSpacingMs: 1000, relax: 1})
    budget.recordThrottle(-1000)
    const results = await Promise.all([1, 2, 3].map((n) => withRetry(async () => n, {clock, budget})))
    expect(results).toEqual([1, 2, 3])
    // Each reserved its own slot 1 s after the previous one: the third could not start before 2 s.
    expect(clock.now()).toBeGreaterThanOrEqual(2000)
  })
})
