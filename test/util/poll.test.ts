import {describe, expect, it} from 'vitest'
import {VirtualClock} from '../../src/util/clock.js'
import {PollTimeoutError, pollUntil} from '../../src/util/poll.js'

describe('pollUntil', () => {
  it('returns the first value the check gives, sleeping on the clock with growing intervals', async () => {
    const clock = new VirtualClock(0)
    const seenAt: number[] = []
    const value = await pollUntil(
      async () => {
        seenAt.push(clock.now())
        return seenAt.length === 5 ? 'ready' : undefined
      },
      {clock, deadline: 60_000, intervalMs: 1000, maxIntervalMs: 3000, backoff: 2, what: 'the thing'},
    )
    expect(value).toBe('ready')
    expect(seenAt).toEqual([0, 1000, 3000, 6000, 9000])
  })

  it('throws a PollTimeoutError naming what and how long, with the last check at the deadline', async () => {
    const clock = new VirtualClock(0)
    const seenAt: number[] = []
    const wait = pollUntil(
      async () => {
        seenAt.push(clock.now())
        return undefined
      },
      {clock, deadline: 125_000, intervalMs: 10_000, maxIntervalMs: 60_000, what: 'stack web-r1 to finish creating'},
    )
    const error = await wait.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PollTimeoutError)
    const timeout = error as PollTimeoutError
    expect(timeout.message).toContain('stack web-r1 to finish creating')
    expect(timeout.message).toContain('2m5s')
    expect(timeout.waitedMs).toBe(125_000)
    expect(seenAt.at(-1)).toBe(125_000)
    expect(clock.now()).toBe(125_000)
  })

  it('still checks once when the deadline has already passed (a resumed wait)', async () => {
    const clock = new VirtualClock(10_000)
    await expect(
      pollUntil(async () => 'done', {clock, deadline: 5_000, intervalMs: 1000, maxIntervalMs: 1000, what: 'x'}),
    ).resolves.toBe('done')
    await expect(
      pollUntil(async () => undefined, {clock, deadline: 5_000, intervalMs: 1000, maxIntervalMs: 1000, what: 'x'}),
    ).rejects.toBeInstanceOf(PollTimeoutError)
    expect(clock.now()).toBe(10_000)
  })

  it('lets errors of the check through', async () => {
    const clock = new VirtualClock(0)
    const boom = new Error('boom')
    await expect(
      pollUntil(
        async () => {
          throw boom
        },
        {clock, deadline: 1000, intervalMs: 10, maxIntervalMs: 10, what: 'x'},
      ),
    ).rejects.toBe(boom)
  })
})
