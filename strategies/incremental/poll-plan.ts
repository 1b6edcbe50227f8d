/**
 * When the window looks at the account next: when completions are due, not on a fixed period.
 *
 * Each phase an instance waits in (entering Standby, its change, returning to service and passing
 * the load balancer's check) has a duration this pass learns from the instances that went through
 * it. From those, the planner knows how likely each instance in flight is to be ready (waiting for
 * the release to notice it, holding a place of the window for nothing) at any moment. A look costs a
 * few API calls; not looking costs the places held by instances that are ready. The next look is
 * when the expected place-time held for nothing since the last look reaches `wasteMs` (instance x
 * ms), bounded by a shortest and a longest gap. Until a phase has a few samples, its instances are
 * expected ready one poll interval after they entered it (the fixed period of before).
 */
import type {InstancePhase} from '../../src/ports/instance-journal.js'
import {countBefore} from '../../src/util/sorted.js'

/** The phases whose end the release must notice: each one's durations are learned apart. */
export type TimedPhase = 'enteringStandby' | 'changing' | 'returning'

export interface PollPlanSettings {
  /** The prior: before a phase has samples, its instances are expected ready after this. Also the shortest gap. */
  pollIntervalMs: number
  /** Expected place-time held by ready instances (instance x ms) that is worth one look. */
  wasteMs: number
  /** The longest gap between two looks (an abort, an alarm, a failure must still be noticed). */
  maxGapMs: number
  /** The shortest gap between two looks. */
  minGapMs: number
  /** Instances returned at looks this close are looked at together, when the last of them should be done. */
  mergeMs: number
}

/** Samples before a phase's learned durations replace the prior. */
const MIN_SAMPLES = 5
/** The expected waste is summed on this grid. */
const STEP_MS = 1_000
/** In-flight instances at which a look is worth `wasteMs`: in proportion for fewer, as the square root for more. */
const FULL_WINDOW = 100
/** Only the last samples count: what the account does now, not an hour ago. */
const MAX_SAMPLES = 400

/** A full look reads everything; a standby look only the group, to send the instances now in Standby. */
export type LookKind = 'full' | 'standby'

export class PollPlan {
  private readonly samples = new Map<TimedPhase, number[]>()
  /** How long after its start each instance was seen past a phase: the bound of a phase is read from these. */
  private readonly seen = new Map<TimedPhase, number[]>()
  private readonly sorted = new Map<TimedPhase, number[]>()

  constructor(private readonly settings: PollPlanSettings) {}

  /**
   * An instance was seen past a phase it entered at `since`: it ended between the look before
   * (`previousLook`) and this one (`now`). The middle of that span is taken, so that looking late
   * does not teach the planner that phases are long (and make it look later still).
   */
  learn(phase: TimedPhase, since: number, previousLook: number, now: number): void {
    const end = Math.max(since, (Math.max(since, previousLook) + now) / 2)
    const list = this.samples.get(phase) ?? []
    list.push(end - since)
    if (list.length > MAX_SAMPLES) list.shift()
    this.samples.set(phase, list)
    this.sorted.delete(phase)
    const seen = this.seen.get(phase) ?? []
    seen.push(now - since)
    if (seen.length > MAX_SAMPLES) seen.shift()
    this.seen.set(phase, seen)
  }

  /**
   * Whether an instance in `phase` since `since` may be over by `at`: past the shortest durations
   * this pass saw (their 5th percentile), or the prior. The window asks the load balancer only about
   * those. A low quantile, so that asking late never teaches it to ask later still.
   */
  due(phase: TimedPhase, since: number, at: number): boolean {
    const durations = this.durations(phase)
    const earliest = durations === undefined ? this.settings.pollIntervalMs : quantile(durations, 0.05)
    return at >= since + earliest
  }

  /**
   * The probability that an instance in `phase` since `since`, not ready at the last look
   * (`lastLook`), is ready at `at`.
   */
  readyBy(phase: TimedPhase, since: number, lastLook: number, at: number): number {
    const durations = this.durations(phase)
    if (durations === undefined) return at - since >= this.settings.pollIntervalMs ? 1 : 0
    const before = fractionAtMost(durations, lastLook - since)
    if (before >= 1) return 1
    return Math.max(0, (fractionAtMost(durations, at - since) - before) / (1 - before))
  }

  /**
   * The next look, for instances in flight (phase, since when), just after a look at `now`:
   * - instances entering Standby are sent their change as soon as all of them should be there
   *   (a `standby` look: the group read and the sends, nothing else);
   * - instances returning to service, whose end is as regular as the load balancer's check, are
   *   looked at when the slowest of those that returned together should be done;
   * - changes end when they end: the look comes when the expected place-time held by finished
   *   changes since `now` reaches `wasteMs` (on a 1 s grid);
   * - never later than `maxGapMs`, never sooner than `minGapMs` (a standby look: 1 s).
   */
  nextLook(now: number, inFlight: {phase: InstancePhase; since: number}[]): {delayMs: number; kind: LookKind} {
    const {minGapMs, maxGapMs, wasteMs} = this.settings
    let full = now + maxGapMs
    let standby = Number.POSITIVE_INFINITY
    const ending: {phase: TimedPhase; since: number}[] = []
    const returnsDue: number[] = []
    for (const i of inFlight) {
      if (i.phase === 'enteringStandby') standby = Math.min(standby, i.since + this.bound('enteringStandby'))
      else if (i.phase === 'changing') ending.push({phase: i.phase, since: i.since})
      // Returning ends as regularly as the load balancer's check: those returned together are looked
      // at once, when the slowest of them should be done (their places are then free at once).
      else if (i.phase === 'returning') returnsDue.push(i.since + this.bound('returning'))
    }
    // Those returned at looks close together are looked at together, at the latest of their dues: each
    // look that returns instances would otherwise start a chain of looks of its own, one per return.
    if (returnsDue.length > 0) {
      const first = Math.min(...returnsDue)
      full = Math.min(full, Math.max(now, ...returnsDue.filter((due) => due <= first + this.settings.mergeMs)))
    }
    // The threshold grows with the instances in flight, as the square root: a look of a larger window
    // costs more calls (more commands to list, more Standby batches) but is spread over more instances,
    // so larger windows look a little less often and spend fewer calls per instance, while each
    // instance still waits less than in a small window. Few in flight (a small fleet, the last ones of
    // a pass) shrink it in proportion: each of them waits as long as in a full window.
    const share = inFlight.length / FULL_WINDOW
    const worth = wasteMs * (share <= 1 ? share : Math.sqrt(share))
    let waste = 0
    for (let at = now + STEP_MS; at < full; at += STEP_MS) {
      let ready = 0
      for (const i of ending) ready += this.readyBy(i.phase, i.since, now, at)
      waste += ready * STEP_MS
      if (waste >= worth) {
        full = at
        break
      }
    }
    full = Math.max(full, now + minGapMs)
    standby = Math.max(standby, now + STEP_MS)
    // A standby look just before a full one is folded into it.
    if (standby < full - minGapMs) return {delayMs: standby - now, kind: 'standby'}
    return {delayMs: full - now, kind: 'full'}
  }

  /**
   * How long a phase lasts at most, as far as this pass saw: the 95th percentile of the times at which
   * instances were seen past it (a look at the bound sees them there, so the bound does not creep up;
   * a look too early finds some not there yet, and they raise it). The prior before enough samples.
   */
  private bound(phase: TimedPhase): number {
    const seen = this.seen.get(phase)
    if (seen === undefined || seen.length < MIN_SAMPLES) return this.settings.pollIntervalMs
    return quantile([...seen].sort((a, b) => a - b), 0.95)
  }

  private durations(phase: TimedPhase): number[] | undefined {
    const cached = this.sorted.get(phase)
    if (cached) return cached
    const list = this.samples.get(phase)
    if (list === undefined || list.length < MIN_SAMPLES) return undefined
    const sorted = [...list].sort((a, b) => a - b)
    this.sorted.set(phase, sorted)
    return sorted
  }
}

/** The share of sorted values at most `x` (binary search). */
function fractionAtMost(sorted: number[], x: number): number {
  return countBefore(sorted, (value) => value <= x) / sorted.length
}

/** The value at quantile `q` (0 to 1) of sorted values: the lowest for 0, the highest for 1. */
function quantile(sorted: number[], q: number): number {
  return valueAt(sorted, Math.min(sorted.length - 1, Math.floor(sorted.length * q)))
}

/** One of the samples, by an index the caller's bounds keep in range (a missing one is a bug here). */
function valueAt(sorted: number[], index: number): number {
  const value = sorted[index]
  if (value === undefined) throw new Error(`no sample at index ${index} of ${sorted.length}`)
  return value
}
