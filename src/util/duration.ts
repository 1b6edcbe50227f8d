/** Units of a duration as release.yml writes them, largest first (src/config/duration.ts parses them). */
export const DURATION_UNITS_MS = {h: 3_600_000, m: 60_000, s: 1_000, ms: 1} as const

/**
 * A duration as release.yml writes it, for every message and view: 5400000 -> '1h30m',
 * 1500 -> '1s500ms', 0 -> '0s'. `roundToMs` rounds first: 1000 gives whole seconds, for a view that
 * ticks (65400 -> '1m5s') and for waits where milliseconds are noise.
 */
export function formatDuration(ms: number, roundToMs = 1): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s'
  let rest = Math.round(ms / roundToMs) * roundToMs
  let out = ''
  for (const [unit, size] of Object.entries(DURATION_UNITS_MS)) {
    const n = Math.floor(rest / size)
    if (n > 0) {
      out += `${n}${unit}`
      rest -= n * size
    }
  }
  return out === '' ? '0s' : out
}
