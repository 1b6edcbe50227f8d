import {UserError} from '../errors.js'
import {DURATION_UNITS_MS as UNITS_MS} from '../util/duration.js'

/** Units in this order, each at most once: `1h30m`, `90s`, `2m`, `500ms`, `0s`. */
const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/

export const DURATION_FORM =
  'a whole number followed by a unit (h, m, s or ms), units combined largest first, e.g. 90s, 2m, 1h30m, 500ms or 0s'

/** Parses a duration such as `90s`, `2m`, `1h30m` or `500ms` into milliseconds; throws UserError 'E_DURATION'. */
export function parseDuration(text: string): number {
  const trimmed = typeof text === 'string' ? text.trim() : ''
  const match = DURATION.exec(trimmed)
  if (trimmed === '' || !match) {
    throw new UserError(
      'E_DURATION',
      `${JSON.stringify(text)} is not a duration; expected ${DURATION_FORM}`,
      `Write the duration as e.g. 90s, 2m or 1h30m (no spaces, no decimals).`,
    )
  }
  const [, h, m, s, ms] = match
  const total =
    Number(h ?? 0) * UNITS_MS.h + Number(m ?? 0) * UNITS_MS.m + Number(s ?? 0) * UNITS_MS.s + Number(ms ?? 0)
  if (!Number.isSafeInteger(total)) {
    throw new UserError('E_DURATION', `${JSON.stringify(text)} is too long a duration`, `Use a shorter duration.`)
  }
  return total
}

/** The inverse of parseDuration, for messages: one formatter for the whole tool (src/util/duration.ts). */
export {formatDuration} from '../util/duration.js'
