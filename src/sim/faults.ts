import type {SimFaults, SimService} from './types.js'

/** '*' matches any run of characters; everything else is literal. */
export function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${source}$`).test(value)
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
  fraction('commandFailureRate', faults.commandFailureRate)
  fraction('undeliverableInstances', faults.undeliverableInstances)
  for (const rule of faults.degradeVersions ?? []) {
    if (!(rule.afterSeconds >= 0)) {
      throw new RangeError(`Simulated fault degradeVersions[${rule.pattern}].afterSeconds must be >= 0`)
    }
  }
}
