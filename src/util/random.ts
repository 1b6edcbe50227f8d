/** A source of numbers in [0, 1), like Math.random; injected so that jitter is reproducible in tests. */
export type Random = () => number

/**
 * mulberry32: a tiny seeded PRNG. Good enough to spread retries apart; not for anything secret.
 * The same seed gives the same sequence, so tests with jitter are deterministic.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A generator seeded from the process's own entropy: separate CLI processes must not jitter in lock
 * step against the same API, which is the whole point of jitter.
 */
export function unseededRandom(): Random {
  return seededRandom(Math.floor(Math.random() * 2 ** 32))
}
