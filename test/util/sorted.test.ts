import {describe, expect, it} from 'vitest'
import {countBefore} from '../../src/util/sorted.js'

describe('countBefore', () => {
  const sorted = [1, 3, 3, 5, 8]

  it.each([
    [0, 0],
    [1, 0],
    [2, 1],
    [3, 1],
    [4, 3],
    [8, 4],
    [9, 5],
  ])('counts the items below %d: %d (where the first at or after it is)', (point, count) => {
    expect(countBefore(sorted, (item) => item < point)).toBe(count)
  })

  it('is the end of the list when every item is before the point, and 0 for an empty list', () => {
    expect(countBefore(sorted, () => true)).toBe(sorted.length)
    expect(countBefore([], () => true)).toBe(0)
  })

  it('looks at about log2(n) items, not every one', () => {
    const many = Array.from({length: 1024}, (_, i) => i)
    let looked = 0
    expect(countBefore(many, (item) => (looked++, item < 700))).toBe(700)
    expect(looked).toBeLessThanOrEqual(11)
  })
})
