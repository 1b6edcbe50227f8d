/**
 * The window's look planner on its own (strategies/incremental/poll-plan.ts): what it learns of each
 * phase, when it takes an instance to be due, and when it plans the next look. The window's releases
 * reach it too, but can only tell that it looks often enough, not when.
 */
import {describe, expect, it} from 'vitest'
import type {InstancePhase} from '../../../src/ports/instance-journal.js'
import {PollPlan, type PollPlanSettings, type TimedPhase} from '../../../strategies/incremental/poll-plan.js'

const SETTINGS: PollPlanSettings = {pollIntervalMs: 10_000, wasteMs: 80_000, maxGapMs: 60_000, minGapMs: 5_000, mergeMs: 0}

/** A planner that saw instances end `phase` after exactly these durations (a look at each end). */
function learned(durations: number[], phase: TimedPhase = 'changing', settings: Partial<PollPlanSettings> = {}): PollPlan {
  const plan = new PollPlan({...SETTINGS, ...settings})
  for (const d of durations) plan.learn(phase, 0, d, d)
  return plan
}
const inFlight = (n: number, phase: InstancePhase, since = 0) => Array.from({length: n}, () => ({phase, since}))
const times = (n: number, ms: number) => Array.from({length: n}, () => ms)

describe('the look planner', () => {
  it('before five samples of a phase, takes its instances as ready one poll interval after they entered it', () => {
    const plan = learned(times(4, 2_000))
    expect(plan.due('changing', 1_000, 10_999)).toBe(false)
    expect(plan.due('changing', 1_000, 11_000)).toBe(true)
    expect(plan.readyBy('changing', 1_000, 1_000, 10_999)).toBe(0)
    expect(plan.readyBy('changing', 1_000, 1_000, 11_000)).toBe(1)
    expect(plan.nextLook(0, inFlight(100, 'changing'))).toEqual({delayMs: 10_000, kind: 'full'})
  })

  it('learns durations: due past the shortest, ready with the share of those ended by then among those not ended at the last look', () => {
    const plan = learned([6_000, 2_000, 4_000, 3_000, 5_000])
    expect(plan.due('changing', 100, 2_099)).toBe(false)
    expect(plan.due('changing', 100, 2_100)).toBe(true)
    expect(plan.readyBy('changing', 0, 0, 1_000)).toBe(0)
    expect(plan.readyBy('changing', 0, 0, 3_000)).toBeCloseTo(0.4)
    expect(plan.readyBy('changing', 0, 3_000, 5_000)).toBeCloseTo(2 / 3)
    expect(plan.readyBy('changing', 0, 6_000, 7_000)).toBe(1)
    // Each phase apart.
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
    const returning = learned([...times(400, 100_000), ...times(400, 1_000)], 'returning')
    // The bound of returning is then 1 s: the look comes at the shortest gap, not the longest.
    expect(returning.nextLook(0, inFlight(1, 'returning'))).toEqual({delayMs: 5_000, kind: 'full'})
  })

  it('looks at instances returning when the slowest of those returned together should be done', () => {
    const plan = learned([...times(19, 12_000), 30_000], 'returning')
    expect(plan.nextLook(0, [...inFlight(1, 'returning', 0), ...inFlight(1, 'returning', 4_000)])).toEqual({delayMs: 30_000, kind: 'full'})
    const merging = learned([...times(19, 12_000), 30_000], 'returning', {mergeMs: 4_000})
    expect(merging.nextLook(0, [...inFlight(1, 'returning', 0), ...inFlight(1, 'returning', 4_000), ...inFlight(1, 'returning', 4_001)])).toEqual({delayMs: 34_000, kind: 'full'})
    // Before enough samples: one poll interval.
    expect(new PollPlan(SETTINGS).nextLook(0, inFlight(1, 'returning', 2_000))).toEqual({delayMs: 12_000, kind: 'full'})
  })

  it('sends instances entering Standby their change as soon as all should be there, unless a full look comes soon after', () => {
    const plan = new PollPlan(SETTINGS)
    expect(plan.nextLook(0, inFlight(1, 'enteringStandby'))).toEqual({delayMs: 10_000, kind: 'standby'})
    // Overdue: a second from now, not at once.
    expect(plan.nextLook(0, inFlight(1, 'enteringStandby', -30_000))).toEqual({delayMs: 1_000, kind: 'standby'})
    // A full look within the shortest gap of it takes it in.
    expect(plan.nextLook(0, [...inFlight(1, 'enteringStandby', -5_000), ...inFlight(100, 'changing')])).toEqual({delayMs: 10_000, kind: 'full'})
    expect(plan.nextLook(0, [...inFlight(1, 'enteringStandby', -5_001), ...inFlight(100, 'changing')])).toEqual({delayMs: 4_999, kind: 'standby'})
    const learnedStandby = learned([...times(19, 3_000), 7_000], 'enteringStandby')
    expect(learnedStandby.nextLook(0, inFlight(1, 'enteringStandby'))).toEqual({delayMs: 7_000, kind: 'standby'})
  })

  it('looks no later than the longest gap, no sooner than the shortest', () => {
    expect(learned(times(5, 1_000_000)).nextLook(0, inFlight(100, 'changing'))).toEqual({delayMs: 60_000, kind: 'full'})
    expect(new PollPlan(SETTINGS).nextLook(0, inFlight(100, 'changing', -30_000))).toEqual({delayMs: 5_000, kind: 'full'})
  })

  it('looks once the place-time held by ready changes is worth it: in proportion to the instances up to 100, as the square root beyond', () => {
    const halfFast = [...times(5, 10_000), ...times(5, 1_000_000)]
    // Half of them ready after 10 s: 500 ms of waste per instance and second.
    expect(learned(halfFast).nextLook(0, inFlight(25, 'changing'))).toEqual({delayMs: 11_000, kind: 'full'})
    expect(learned(halfFast).nextLook(0, inFlight(100, 'changing'))).toEqual({delayMs: 11_000, kind: 'full'})
    expect(learned(halfFast).nextLook(0, inFlight(400, 'changing'))).toEqual({delayMs: 10_000, kind: 'full'})
    // Exactly worth it at the first step.
    expect(learned([], 'changing', {wasteMs: 100_000}).nextLook(0, inFlight(100, 'changing'))).toEqual({delayMs: 10_000, kind: 'full'})
    expect(learned([], 'changing', {wasteMs: 100_001}).nextLook(0, inFlight(100, 'changing'))).toEqual({delayMs: 11_000, kind: 'full'})
  })

  it('reads durations, bounds and looks relative to when each instance entered its phase and to now', () => {
    const plan = learned([6_000, 2_000, 4_000, 3_000, 5_000])
    expect(plan.readyBy('changing', 1_000, 4_000, 6_000)).toBeCloseTo(2 / 3)
    const returning = new PollPlan(SETTINGS)
    for (const _ of times(5, 0)) returning.learn('returning', 10_000, 30_000, 30_000)
    expect(returning.nextLook(0, inFlight(1, 'returning'))).toEqual({delayMs: 20_000, kind: 'full'})
    expect(new PollPlan(SETTINGS).nextLook(100_000, inFlight(1, 'enteringStandby', 100_000))).toEqual({delayMs: 10_000, kind: 'standby'})
    expect(new PollPlan(SETTINGS).nextLook(100_000, inFlight(100, 'changing', 100_000))).toEqual({delayMs: 10_000, kind: 'full'})
    // Changes already overdue are waste from the first step after now, not before it.
    expect(new PollPlan({...SETTINGS, minGapMs: 0}).nextLook(0, inFlight(100, 'changing', -30_000))).toEqual({delayMs: 1_000, kind: 'full'})
  })

  it('bounds a phase by the 95th percentile of when instances were seen past it, from five samples on', () => {
    const bound = (seen: number[]) => learned(seen, 'returning').nextLook(0, inFlight(1, 'returning')).delayMs
    expect(bound(times(4, 30_000))).toBe(10_000)
    expect(bound(times(5, 30_000))).toBe(30_000)
    expect(bound([50_000, 40_000, 30_000, 20_000, 10_000])).toBe(50_000)
    expect(bound([...times(39, 10_000), 50_000])).toBe(10_000)
    // The 400 kept are the last 400, the first 20 of them slow.
    expect(bound([...times(21, 50_000), ...times(380, 1_000)])).toBe(50_000)
    expect(learned([1_000, ...times(399, 100_000)]).readyBy('changing', 0, 0, 1_000)).toBe(1 / 400)
  })
})
