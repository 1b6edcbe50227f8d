/**
 * How long an on-demand environment lives (`env create --ttl`, `env extend --ttl`, `ephemeral.ttl`):
 * a duration as everywhere else in release.yml, plus days (`7d`, `1d12h`), from 1 minute to 90 days.
 */
import {UserError} from '../errors.js'
import {DURATION_FORM, formatDuration, parseDuration} from './duration.js'

export const TTL_RANGE = {minMs: 60_000, maxMs: 90 * 86_400_000} as const
export const TTL_FORM = `a duration from 1m to 90d: ${DURATION_FORM}, or days first, e.g. 7d or 1d12h`

const DAYS = /^(\d+)d(.*)$/

/** Milliseconds, or undefined when the text is no duration at all (parseTtl says why). */
function ttlMs(text: string): number | undefined {
  const trimmed = text.trim()
  const days = DAYS.exec(trimmed)
  try {
    const rest = days ? (days[2] === '' || days[2] === undefined ? 0 : parseDuration(days[2])) : parseDuration(trimmed)
    return (days ? Number(days[1]) * 86_400_000 : 0) + rest
  } catch {
    return undefined
  }
}

/** Parses a TTL; a UserError E_TTL (exit 2) when it is not a duration or is out of range. */
export function parseTtl(text: string, flag = '--ttl'): number {
  const ms = ttlMs(text)
  if (ms === undefined) {
    throw new UserError('E_TTL', `${flag} ${JSON.stringify(text)} is not a duration; expected ${TTL_FORM}`, `Write it as e.g. ${flag} 4h, ${flag} 2d or ${flag} 30m.`, 2)
  }
  if (ms < TTL_RANGE.minMs || ms > TTL_RANGE.maxMs) {
    throw new UserError('E_TTL', `${flag} ${text} is out of range: an environment lives from 1 minute to 90 days`, `Pass ${flag} between 1m and 90d, e.g. ${flag} 8h.`, 2)
  }
  return ms
}

/** 93600000 -> '1d2h': days first, then the usual duration. */
export function formatTtl(ms: number): string {
  const days = Math.floor(ms / 86_400_000)
  const rest = ms - days * 86_400_000
  if (days === 0) return formatDuration(rest)
  return rest === 0 ? `${days}d` : `${days}d${formatDuration(rest)}`
}
