/**
 * State Manager association schedules, as Systems Manager accepts them (User Guide, "Reference: Cron
 * and rate expressions for Systems Manager", section "Cron and rate expressions for associations"):
 *
 * - `rate(N unit)`: unit minute(s), hour(s) or day(s), singular exactly when N is 1; associations take
 *   intervals of 30 minutes or more and less than 31 days.
 * - `cron(...)`: six fields (minutes hours day-of-month month day-of-week year), with an optional
 *   leading seconds field that can only be 0. Associations take only: every 30 minutes; every 1, 2,
 *   4, 8 or 12 hours; every day at a given time; every week on a given day at a given time. Months
 *   cannot be given.
 *
 * One parser for release.yml (a schedule SSM would refuse is exit 2 before anything changes) and the
 * simulated account (which refuses what SSM refuses, and runs associations at these times).
 */

export type Schedule =
  | {kind: 'rate'; everyMs: number}
  /** Every `everyMs` from the start of a UTC day, offset by `offsetMs` (every 30 minutes, every N hours). */
  | {kind: 'interval'; everyMs: number; offsetMs: number}
  /** Every day at hour:minute UTC, or on one day of the week (0 = Sunday). */
  | {kind: 'daily'; hour: number; minute: number; weekday?: number}

export const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS
const UNIT_MS: Record<string, number> = {minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS}
const MIN_RATE_MS = 30 * MINUTE_MS
const MAX_RATE_MS = 31 * DAY_MS
const CRON_HOURS = new Set([1, 2, 4, 8, 12])
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']

export const SCHEDULE_FORMS =
  "rate(30 minutes) or longer (minutes, hours or days; 'rate(1 hour)', singular for 1; less than 31 days), or cron(0/30 * * * ? *), cron(0 0/N * * ? *) for N in 1, 2, 4, 8, 12, cron(M H ? * * *) daily or cron(M H ? * DAY *) weekly (UTC)"

/** Why SSM would refuse this association schedule, or undefined when it takes it. */
export function scheduleProblem(text: string): string | undefined {
  const parsed = parseSchedule(text)
  return 'problem' in parsed ? parsed.problem : undefined
}

export function parseSchedule(text: string): Schedule | {problem: string} {
  const rate = /^rate\((.*)\)$/.exec(text)
  if (rate) return parseRate(rate[1] ?? '')
  const cron = /^cron\((.*)\)$/.exec(text)
  if (cron) return parseCron(cron[1] ?? '')
  if (/^at\(/.test(text)) return {problem: 'at(...) runs an association once; enforcing needs a repeating schedule'}
  return {problem: `"${text}" is neither rate(...) nor cron(...)`}
}

function parseRate(inner: string): Schedule | {problem: string} {
  const match = /^(\d+) (minute|hour|day)(s?)$/.exec(inner)
  if (!match) return {problem: `rate(${inner}) is not "rate(N minutes|hours|days)"`}
  const value = Number(match[1])
  const unit = match[2] ?? ''
  if (value === 0) return {problem: `rate(${inner}): the value must be a positive number`}
  if ((value === 1) !== (match[3] === '')) {
    return {problem: `rate(${inner}): the unit must be singular for 1 and plural otherwise (rate(1 ${unit}), rate(${value === 1 ? 2 : value} ${unit}s))`}
  }
  const everyMs = value * (UNIT_MS[unit] ?? 0)
  if (everyMs < MIN_RATE_MS) return {problem: `rate(${inner}) is more often than associations allow: at least every 30 minutes`}
  if (everyMs >= MAX_RATE_MS) return {problem: `rate(${inner}): associations take intervals of less than 31 days`}
  return {kind: 'rate', everyMs}
}

function parseCron(inner: string): Schedule | {problem: string} {
  let fields = inner.split(' ')
  if (fields.length === 7) {
    if (fields[0] !== '0') return {problem: `cron(${inner}): the seconds field of an association's cron expression can only be 0`}
    fields = fields.slice(1)
  }
  if (fields.length !== 6) return {problem: `cron(${inner}) has ${fields.length} fields; expected six (minutes hours day-of-month month day-of-week year)`}
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string]
  const unsupported = {problem: `cron(${inner}) is not one of the cron forms associations support (every 30 minutes, every 1, 2, 4, 8 or 12 hours, daily or weekly at a time)`}
  if (month !== '*' || year !== '*') return {problem: `cron(${inner}): associations do not take months or years; write * in both`}
  if (dom !== '?' && dom !== '*') return unsupported
  if (dom === '*' && dow !== '?') return {problem: `cron(${inner}): give ? in the day-of-month or the day-of-week field`}
  const everyMinutes = /^[0*]\/30$/.exec(minutes)
  if (everyMinutes && hours === '*' && (dow === '?' || dow === '*')) return {kind: 'interval', everyMs: 30 * MINUTE_MS, offsetMs: 0}
  const minute = clockNumber(minutes, 59)
  if (minute === undefined) return unsupported
  const everyHours = /^[0*]\/(\d+)$/.exec(hours)
  if (everyHours && (dow === '?' || dow === '*')) {
    const n = Number(everyHours[1])
    if (!CRON_HOURS.has(n)) return {problem: `cron(${inner}): associations run every 1, 2, 4, 8 or 12 hours, not every ${n}`}
    return {kind: 'interval', everyMs: n * HOUR_MS, offsetMs: minute * MINUTE_MS}
  }
  const hour = clockNumber(hours, 23)
  if (hour === undefined) return unsupported
  if (dow === '*' || dow === '?') return {kind: 'daily', hour, minute}
  const weekday = WEEKDAYS.indexOf(dow.toUpperCase()) >= 0 ? WEEKDAYS.indexOf(dow.toUpperCase()) : /^[1-7]$/.test(dow) ? Number(dow) - 1 : -1
  if (weekday < 0) return unsupported
  return {kind: 'daily', hour, minute, weekday}
}

function clockNumber(field: string, max: number): number | undefined {
  if (!/^\d{1,2}$/.test(field)) return undefined
  const n = Number(field)
  return n <= max ? n : undefined
}

/**
 * The first run strictly after `afterMs` of a schedule whose last run (or creation) was `fromMs`: a
 * rate counts from the association's last run, a cron from the clock (UTC).
 */
export function nextRun(schedule: Schedule, fromMs: number, afterMs = fromMs): number {
  switch (schedule.kind) {
    case 'rate': {
      const steps = Math.floor((afterMs - fromMs) / schedule.everyMs) + 1
      return fromMs + Math.max(1, steps) * schedule.everyMs
    }
    case 'interval': {
      const day = Math.floor(afterMs / DAY_MS) * DAY_MS
      const k = Math.floor((afterMs - day - schedule.offsetMs) / schedule.everyMs) + 1
      return day + schedule.offsetMs + k * schedule.everyMs
    }
    case 'daily': {
      const day = Math.floor(afterMs / DAY_MS) * DAY_MS
      for (let d = 0; d <= 7; d++) {
        const at = day + d * DAY_MS + schedule.hour * HOUR_MS + schedule.minute * MINUTE_MS
        if (at <= afterMs) continue
        if (schedule.weekday === undefined || new Date(at).getUTCDay() === schedule.weekday) return at
      }
      return day + 8 * DAY_MS
    }
  }
}
