import {describe, expect, it} from 'vitest'
import {seededRandom} from '../../src/util/random.js'

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(42)
    const b = seededRandom(42)
    const first = Array.from({length: 1000}, () => a())
    expect(Array.from({length: 1000}, () => b())).toEqual(first)
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(new Set(first).size).toBeGreaterThan(990)
  })

  it('gives other sequences for other seeds', () => {
    expect(seededRandom(1)()).not.toBe(seededRandom(2)())
  })
})
