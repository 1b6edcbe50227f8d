/**
 * How many items at the start of `sorted` are `before` the point looked for, by binary search: the
 * list holds every item that is before it first (sorted by the same order), so this is the index
 * where an item at that point goes, or where the first one at or after it is.
 */
export function countBefore<T>(sorted: readonly T[], before: (item: T) => boolean): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    const item = sorted[mid]
    if (item === undefined) throw new RangeError(`binary search left its list: index ${mid} of ${sorted.length}`)
    if (before(item)) low = mid + 1
    else high = mid
  }
  return low
}
