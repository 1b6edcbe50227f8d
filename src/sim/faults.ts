import type {SimFaults, SimService} from './types.js'

/**
 * '*' matches any run of characters; everything else is literal. Matched greedily left to right with
 * one remembered star (the classic wildcard walk): time grows with pattern times value at worst, never
 * exponentially as a regular expression with many `.*` backtracks on a near miss.
 */
export function globMatches(pattern: string, value: string): boolean {
  let p = 0
  let v = 0
  let star = -1
  let resume = 0
  while (v < value.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === value[v]) {
      p++
      v++
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++
      resume = v
    } else if (star >= 0) {
      // Let the last star swallow one more character and try again from there.
      p = star + 1
      v = ++resume
    } else {
      return false
    }
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}

export function matchesAny(patterns: readonly string[] | undefined, version: string | undefined): boolean {
  if (!patterns || version === undefined) return false
  return patterns.some((pattern) => globMatches(pattern, version))
}

export function isUnhealthyVersion(faults: SimFaults, version: string | undefined): boolean {
  return matchesAny(faults.unhealthyVersions, version)
}

/** Milliseconds after InService at which an instance of this version turns Unhealthy, if it does. */
export function degradeAfterMs(faults: SimFaults, version: string | undefined): number | undefined {
  if (version === undefined) return undefined
  const rule = faults.degradeVersions?.find((entry) => globMatches(entry.pattern, version))
  return rule ? Math.max(0, rule.afterSeconds * 1000) : undefined
}

/** The throttling probability that applies to a call of `service` at virtual time `now` (0 when none). */
export function throttleRate(faults: SimFaults, service: SimService, now: number): number {
  const throttle = faults.throttle
  if (!throttle || !(throttle.rate > 0)) return 0
  if (throttle.services && !throttle.services.includes(service)) return 0
  if (throttle.from !== undefined && now < throttle.from) return 0
  if (throttle.until !== undefined && now >= throttle.until) return 0
  return Math.min(1, throttle.rate)
}

/** Refuses fault settings that would silently do nothing, before they are persisted. */
export function checkFaults(faults: SimFaults): void {
  const fraction = (name: string, value: number | undefined) => {
    if (value !== undefined && !(value >= 0 && value <= 1)) {
      throw new RangeError(`Simulated fault ${name} must be a number in [0, 1], got ${value}`)
    }
  }
  fraction('throttle.rate', faults.throttle?.rate)
  fraction('network.rate', faults.network?.rate)
  fraction('commandFailureRate', faults.commandFailureRate)
  fraction('undeliverableInstances', faults.undeliverableInstances)
  checkAlarmFaults(faults)
  for (const rule of faults.degradeVersions ?? []) {
    if (!(rule.afterSeconds >= 0)) {
      throw new RangeError(`Simulated fault degradeVersions[${rule.pattern}].afterSeconds must be >= 0`)
    }
  }
}

// ---- CloudWatch alarms (src/sim/alarms.ts) ----

/** Refuses alarm fault settings that would silently do nothing. */
export function checkAlarmFaults(faults: SimFaults): void {
  const after = faults.alarmAfterSeconds
  if (after !== undefined && !(after >= 0)) throw new RangeError(`Simulated fault alarmAfterSeconds must be >= 0, got ${after}`)
}
