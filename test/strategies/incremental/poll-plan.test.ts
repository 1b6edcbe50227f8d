/**
 * The window's look planner on its own (strategies/incremental/poll-plan.ts): what it learns of each
 * phase, when it takes an instance to be due, its cadence of full looks and the standby looks between.
 * The window's releases reach it too, but can only tell that it looks often enough, not when.
 */
import {describe, expect, it} from 'vitest'
import type {InstancePhase} from '../../../src/ports/instance-journal.js'
import {gapFor, PollPlan, type PollPlanSettings, type TimedPhase} from '../../../strategies/incremental/poll-plan.js'

const SETTINGS: PollPlanSettings = {pollIntervalMs: 10_000, gapMs: 32_000, window: 100, healthMs: 0}

/** A planner that saw instances end `phase` after exactly these durations (a look at each end). */
function learned(durations: number[], phase: TimedPhase = 'changing', settings: Partial<PollPlanSettings> = {}): PollPlan {
  const plan = new PollPlan({...SETTINGS, ...settings})
  for (const d of durations) plan.learn(phase, 0, d, d)
  return plan
}
const inFlight = (n: number, phase: InstancePhase, since = 0) => Array.from({length: n}, () => ({phase, since}))
const times = (n: number, ms: number) => Array.from({length: n}, () => ms)

describe('the look planner', () => {
  it('before five samples of a phase, takes its instances as due one poll interval after they entered it', () => {
    const plan = learned(times(4, 2_000))
    expect(plan.due('changing', 1_000, 10_999)).toBe(false)
    expect(plan.due('changing', 1_000, 11_000)).toBe(true)
  })

  it('learns durations: due past the 5th percentile of those seen, each phase apart', () => {
    const plan = learned([6_000, 2_000, 4_000, 3_000, 5_000])
    expect(plan.due('changing', 100, 2_099)).toBe(false)
    expect(plan.due('changing', 100, 2_100)).toBe(true)
    expect(plan.due('returning', 0, 2_000)).toBe(false)
  })

  it('takes the middle of the span between two looks as the end, never before the instance entered the phase', () => {
    const plan = new PollPlan(SETTINGS)
    for (const _ of times(5, 0)) plan.learn('changing', 0, 4_000, 8_000)
    expect(plan.due('changing', 0, 5_999)).toBe(false)
    expect(plan.due('changing', 0, 6_000)).toBe(true)
    // Entered after the look before: the span starts when it entered.
    for (const _ of times(5, 0)) plan.learn('enteringStandby', 5_000, 1_000, 9_000)
    expect(plan.due('enteringStandby', 5_000, 6_999)).toBe(false)
    expect(plan.due('enteringStandby', 5_000, 7_000)).toBe(true)
  })

  it('counts only the last 400 samples of a phase', () => {
    const plan = learned([...times(400, 1_000), ...times(400, 100_000)])
    expect(plan.due('changing', 0, 99_999)).toBe(false)
    expect(plan.due('changing', 0, 100_000)).toBe(true)
    // 400 exactly are all kept: 20 fast ones of 400 are not 5 % past the fastest (399 would be).
    expect(learned([...times(380, 100_000), ...times(20, 1_000)]).due('changing', 0, 1_000)).toBe(false)
    // Likewise for the bound: 20 slow of 400 make the 95th percentile (of 399, it would be a fast one).
    const bound = learned([...times(20, 30_000), ...times(380, 3_000)], 'enteringStandby', {gapMs: 100_000})
    expect(bound.nextLook(0, inFlight(1, 'enteringStandby'))).toEqual({delayMs: 30_000, kind: 'standby'})
    const recent = learned([...times(400, 30_000), ...times(400, 3_000)], 'enteringStandby', {gapMs: 100_000})
    expect(recent.nextLook(0, inFlight(1, 'enteringStandby'))).toEqual({delayMs: 3_000, kind: 'standby'})
  })

  it('bounds a phase by how long after entering it instances were seen past it', () => {
    const plan = new PollPlan(SETTINGS)
    for (const _ of times(5, 0)) plan.learn('enteringStandby', 5_000, 0, 12_000)
    expect(plan.nextLook(0, inFlight(1, 'enteringStandby'))).toEqual({delayMs: 7_000, kind: 'standby'})
  })

  it('makes full looks on a steady cadence from the first, whatever standby looks come between', () => {
    const plan = new PollPlan(SETTINGS)
    expect(plan.nextLook(0, inFlight(100, 'changing'))).toEqual({delayMs: 32_000, kind: 'full'})
    // A standby look between two full ones does not move the next full one.
    expect(plan.nextLook(32_000, [...inFlight(10, 'enteringStandby', 32_000), ...inFlight(90, 'changing')])).toEqual({delayMs: 10_000, kind: 'standby'})
    expect(plan.nextLook(42_000, inFlight(100, 'changing'))).toEqual({delayMs: 22_000, kind: 'full'})
    // A full look that came late (its calls were slow, or throttled): the next keeps the cadence.
    expect(plan.nextLook(70_000, inFlight(100, 'changing'))).toEqual({delayMs: 26_000, kind: 'full'})
    // One that missed whole gaps takes the next one of the cadence.
    expect(plan.nextLook(200_000, inFlight(100, 'changing'))).toEqual({delayMs: 24_000, kind: 'full'})
  })

  it('aims at a shorter gap for smaller windows (in proportion, never below the poll interval) and for larger ones (as the power 3/4, never below 5 s)', () => {
    expect(gapFor(32_000, 100, 10_000)).toBe(32_000)
    expect(gapFor(32_000, 50, 10_000)).toBe(16_000)
    expect(gapFor(32_000, 20, 10_000)).toBe(10_000)
    expect(gapFor(32_000, 0, 100)).toBe(320)
    expect(gapFor(32_000, 101, 10_000)).toBe(31_762)
    expect(gapFor(32_000, 400, 10_000)).toBe(11_314)
    expect(gapFor(32_000, 1_000, 10_000)).toBe(5_690)
    expect(gapFor(32_000, 10_000, 10_000)).toBe(5_000)
    expect(new PollPlan({...SETTINGS, window: 400}).gap()).toBe(11_314)
  })

  it("fits the gap so that the load balancer's check after leaving Standby is a whole number of gaps", () => {
    // 150 s of checks and 10 s to leave Standby (the prior: as long as entering it): 5 gaps of 32 s.
    expect(new PollPlan({...SETTINGS, healthMs: 150_000}).gap()).toBe(32_000)
    // 160 + 20 s: 6 gaps of 30 s rather than 5.6 of 32.
    expect(new PollPlan({...SETTINGS, healthMs: 170_000}).gap()).toBe(30_000)
    // Entering Standby learned at 25 s: 175 s, 5 gaps of 35 s.
    expect(learned(times(5, 25_000), 'enteringStandby', {healthMs: 150_000}).gap()).toBe(35_000)
    // About one gap: exactly one.
    expect(new PollPlan({...SETTINGS, healthMs: 20_000}).gap()).toBe(30_000)
    // A check shorter than half the gap: the gap aimed at; none at all, likewise.
    expect(new PollPlan({...SETTINGS, healthMs: 5_000}).gap()).toBe(32_000)
    expect(new PollPlan({...SETTINGS, healthMs: 0}).gap()).toBe(32_000)
    // Rounded up to the millisecond: the check is never over after the look.
    expect(new PollPlan({...SETTINGS, healthMs: 150_001}).gap()).toBe(32_001)
  })

  it('sends instances entering Standby their change as soon as all should be there, unless a full look comes within 5 s of it', () => {
    const plan = () => new PollPlan(SETTINGS)
    expect(plan().nextLook(0, inFlight(1, 'enteringStandby'))).toEqual({delayMs: 10_000, kind: 'standby'})
    // The slowest of them: 95th percentile of those seen, from five samples on.
    const learnedStandby = learned([7_000, ...times(19, 3_000)], 'enteringStandby')
    expect(learnedStandby.nextLook(0, inFlight(1, 'enteringStandby'))).toEqual({delayMs: 7_000, kind: 'standby'})
    expect(learned(times(4, 30_000), 'enteringStandby').nextLook(0, inFlight(1, 'enteringStandby'))).toEqual({delayMs: 10_000, kind: 'standby'})
    // Overdue: a second from now, not at once.
    expect(plan().nextLook(0, inFlight(1, 'enteringStandby', -30_000))).toEqual({delayMs: 1_000, kind: 'standby'})
    // Due 5 s before the full look or later: folded into it.
    expect(plan().nextLook(0, inFlight(1, 'enteringStandby', 16_999))).toEqual({delayMs: 26_999, kind: 'standby'})
    expect(plan().nextLook(0, inFlight(1, 'enteringStandby', 17_000))).toEqual({delayMs: 32_000, kind: 'full'})
  })
})
