/**
 * A small seeded PRNG (mulberry32) whose whole state is one uint32 kept in the account state, so that a
 * persisted account continues the same sequence in the next process and runs are reproducible.
 */
export class Random {
  constructor(private readonly holder: {rng: number}) {}

  /** Uniform in [0, 1). */
  next(): number {
    const state = (this.holder.rng + 0x6d2b79f5) >>> 0
    this.holder.rng = state
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    if (max <= min) return Math.round(min)
    return Math.floor(min + this.next() * (max - min + 1))
  }

  /** A delay drawn from a [min, max] range. */
  delay(range: readonly [number, number]): number {
    return this.int(range[0], range[1])
  }

  /** Standard normal, by Box–Muller from two uniforms (the second normal of the pair is not kept: no hidden state). */
  normal(): number {
    const u1 = 1 - this.next() // (0, 1]: log(0) is never taken
    const u2 = this.next()
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  }

  hex(length: number): string {
    let out = ''
    for (let i = 0; i < length; i++) out += this.int(0, 15).toString(16)
    return out
  }

  /** Upper-case letters and digits, like CloudFormation's generated name suffixes. */
  upper(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet.charAt(this.int(0, alphabet.length - 1))
    return out
  }

  /** Shaped like a v4 UUID. */
  uuid(): string {
    const variant = '89ab'[this.int(0, 3)]
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`
  }
}

/** A 32-bit hash of a string (FNV-1a), mixed with a seed: the state of a keyed draw's generator. */
export function keyedState(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ seed
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return initialRngState(h)
}

/** Spreads a user seed over the 32-bit state so that nearby seeds give unrelated sequences. */
export function initialRngState(seed: number): number {
  let h = (Math.floor(seed) ^ 0x9e3779b9) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}
