/** Association schedules as SSM takes them (User Guide: cron and rate expressions for associations). */
import {describe, expect, it} from 'vitest'
import {nextRun, parseSchedule, scheduleProblem} from '../../src/util/schedule.js'

const MINUTE = 60_000

describe('association schedules', () => {
  it('takes the rate and cron forms State Manager accepts', () => {
    for (const ok of [
      'rate(30 minutes)',
      'rate(1 hour)',
      'rate(5 hours)',
      'rate(1 day)',
      'rate(30 days)',
      'cron(0/30 * * * ? *)',
      'cron(0 */30 * * * ? *)',
      'cron(0 0/1 * * ? *)',
      'cron(15 0/12 * * ? *)',
      'cron(15 13 ? * * *)',
      'cron(15 13 ? * MON *)',
      'cron(0 15 13 ? * SUN *)',
    ]) {
      expect(scheduleProblem(ok), ok).toBeUndefined()
    }
  })

  it('refuses what State Manager refuses, saying why', () => {
    const refused: [string, RegExp][] = [
      ['rate(29 minutes)', /at least every 30 minutes/],
      ['rate(1 minute)', /at least every 30 minutes/],
      ['rate(1 hours)', /singular for 1/],
      ['rate(5 hour)', /singular for 1/],
      ['rate(0 days)', /positive/],
      ['rate(31 days)', /less than 31 days/],
      ['rate(30 mins)', /rate\(N minutes\|hours\|days\)/],
      ['cron(0/15 * * * ? *)', /not one of the cron forms/],
      ['cron(0 0/3 * * ? *)', /every 1, 2, 4, 8 or 12 hours/],
      ['cron(0 8 1 * ? *)', /not one of the cron forms/],
      ['cron(0 8 ? 1 * *)', /months/],
      ['cron(5 0 8 ? * * *)', /seconds field/],
      ['cron(0 8 * *)', /six/],
      ['at(2026-01-01T00:00:00)', /runs an association once/],
      ['every 30 minutes', /neither rate/],
    ]
    for (const [text, why] of refused) expect(scheduleProblem(text), text).toMatch(why)
  })

  it('gives the next run on the clock', () => {
    const start = Date.UTC(2026, 0, 5, 10, 7) // a Monday
    const rate = parseSchedule('rate(30 minutes)')
    if ('problem' in rate) throw new Error(rate.problem)
    expect(nextRun(rate, start) - start).toBe(30 * MINUTE)
    const halfHour = parseSchedule('cron(0/30 * * * ? *)')
    if ('problem' in halfHour) throw new Error(halfHour.problem)
    expect(new Date(nextRun(halfHour, start)).toISOString()).toBe('2026-01-05T10:30:00.000Z')
    const weekly = parseSchedule('cron(15 13 ? * SUN *)')
    if ('problem' in weekly) throw new Error(weekly.problem)
    expect(new Date(nextRun(weekly, start)).toISOString()).toBe('2026-01-11T13:15:00.000Z')
    const daily = parseSchedule('cron(15 9 ? * * *)')
    if ('problem' in daily) throw new Error(daily.problem)
    expect(nextRun(daily, start) - Date.UTC(2026, 0, 6, 9, 15)).toBe(0)
  })
})
