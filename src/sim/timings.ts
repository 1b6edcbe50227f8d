import type {Model} from './model.js'
import type {DelayRange, LatencyDistribution, SimTimings} from './types.js'

/** Virtual delays of a simulated account unless SimOptions.timings says otherwise. */
export const DEFAULT_TIMINGS: SimTimings = {
  stackResourceMs: [2_000, 8_000],
  instanceBootMs: [20_000, 40_000],
  trafficAttachMs: [5_000, 15_000],
  commandMs: [5_000, 20_000],
  terminateMs: [10_000, 20_000],
  standbyMs: [3_000, 10_000],
  agentRegistrationMs: [5_000, 30_000],
  invocationVisibleMs: [500, 1_500],
  agentReportMs: [1_000, 5_000],
  listingLagMs: [0, 0],
  commandLatency: {medianMs: 15_000, p95Ms: 40_000},
}

const RANGES = ['stackResourceMs', 'instanceBootMs', 'trafficAttachMs', 'commandMs', 'terminateMs', 'standbyMs', 'agentRegistrationMs', 'invocationVisibleMs', 'agentReportMs', 'listingLagMs'] as const
type RangeKey = (typeof RANGES)[number]

/** z of the 95th percentile of the standard normal. */
const Z95 = 1.6448536269514722

/**
 * The defaults with the given timings applied; refuses ranges that are not [min, max] with
 * 0 <= min <= max, and latencies without 0 < median <= p95. A `commandMs` given without a
 * `commandLatency` replaces the log-normal default (the uniform range is then in effect).
 */
export function resolveTimings(given: Partial<SimTimings> | undefined): SimTimings {
  const timings: SimTimings = {...DEFAULT_TIMINGS}
  for (const [key, value] of Object.entries(given ?? {})) {
    if (value === undefined) continue
    if (key === 'commandLatency') continue
    if (!(RANGES as readonly string[]).includes(key)) throw new RangeError(`Unknown simulated timing ${key}`)
    const range = value as DelayRange
    if (!Array.isArray(range) || range.length !== 2 || !(range[0] >= 0) || !(range[1] >= range[0])) {
      throw new RangeError(`Simulated timing ${key} must be [min, max] with 0 <= min <= max, got ${JSON.stringify(range)}`)
    }
    timings[key as RangeKey] = [range[0], range[1]]
  }
  const latency = given?.commandLatency
  if (latency !== undefined) {
    if (!(latency.medianMs > 0) || !(latency.p95Ms >= latency.medianMs) || !Number.isFinite(latency.p95Ms)) {
      throw new RangeError(
        `Simulated timing commandLatency must have 0 < medianMs <= p95Ms, got ${JSON.stringify(latency)}`,
      )
    }
    timings.commandLatency = {medianMs: latency.medianMs, p95Ms: latency.p95Ms}
  } else if (given?.commandMs !== undefined) {
    timings.commandLatency = undefined
  }
  return timings
}

/**
 * A log-normal draw: ln(X) ~ N(mu, sigma) with e^mu = median and e^(mu + z95 sigma) = p95. Real
 * command run times are like that: most near the median, a long tail of slow ones, never negative.
 */
export function logNormalDelay(model: Model, latency: LatencyDistribution, random = model.random): number {
  const mu = Math.log(latency.medianMs)
  const sigma = Math.log(latency.p95Ms / latency.medianMs) / Z95
  return Math.exp(mu + sigma * random.normal())
}

/**
 * How long one SSM invocation runs (or, undeliverable, how long until SSM gives up on it): drawn for
 * the instance's nth invocation (`key`: its id, or another family such as an association's runs on it),
 * so that an instance's run times do not depend on when it was sent.
 */
export function commandDuration(model: Model, instanceId: string): number {
  const latency = model.timings.commandLatency
  const random = model.draw(`run:${instanceId}`)
  return latency ? logNormalDelay(model, latency, random) : random.delay(model.timings.commandMs)
}
