import type {DelayRange, SimTimings} from './types.js'

/** Virtual delays of a simulated account unless SimOptions.timings says otherwise. */
export const DEFAULT_TIMINGS: SimTimings = {
  stackResourceMs: [2_000, 8_000],
  instanceBootMs: [20_000, 40_000],
  trafficAttachMs: [5_000, 15_000],
  commandMs: [5_000, 20_000],
  terminateMs: [10_000, 20_000],
  standbyMs: [3_000, 10_000],
}

/** The defaults with the given ranges applied; refuses ranges that are not [min, max] with 0 <= min <= max. */
export function resolveTimings(given: Partial<SimTimings> | undefined): SimTimings {
  const timings: SimTimings = {...DEFAULT_TIMINGS}
  for (const [key, range] of Object.entries(given ?? {}) as [keyof SimTimings, DelayRange | undefined][]) {
    if (range === undefined) continue
    if (!(key in DEFAULT_TIMINGS)) throw new RangeError(`Unknown simulated timing ${key}`)
    if (!Array.isArray(range) || range.length !== 2 || !(range[0] >= 0) || !(range[1] >= range[0])) {
      throw new RangeError(`Simulated timing ${key} must be [min, max] with 0 <= min <= max, got ${JSON.stringify(range)}`)
    }
    timings[key] = [range[0], range[1]]
  }
  return timings
}
