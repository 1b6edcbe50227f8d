/**
 * When the window looks at the account next: full looks on a steady cadence that the load balancer's
 * check divides, and a cheap look (the group only) when instances put in Standby should be there.
 *
 * A full look costs the same few calls (the commands' outcomes, the target health, one ExitStandby,
 * one EnterStandby, then a look at the group and one SendCommand) whether it finds 2 ends or 20, so
 * the calls per instance fall as the gap between looks grows, and the time an ended change holds its
 * place for nothing (half the gap, on average) grows with it. The other waits need not: an instance
 * sent back to service at a full look is healthy again a fixed time later (the load balancer's
 * HealthyThresholdCount checks, one per interval, after the instance is InService), so when that time
 * is a whole number of gaps, a full look comes just as it turns healthy and its place is filled at
 * once; and the changes sent at a full look go out as soon as their instances are in Standby.
 * Looks planned around each instance's own due time (as before) cost more: each return, each fill and
 * each send started a chain of looks of its own (measured, bench/: at N=1,000 and 10%, 1.53 calls per
 * instance at 1.177x the lower bound, against 0.76 at 1.183x on the cadence).
 */
import type {InstancePhase} from '../../src/ports/instance-journal.js'

/** The phases whose end the release must notice: each one's durations are learned apart. */
export type TimedPhase = 'enteringStandby' | 'changing' | 'returning'

export interface PollPlanSettings {
  /** The prior: before a phase has samples, its instances are expected past it after this. Also the shortest gap of a small window. */
  pollIntervalMs: number
  /** The gap between full looks aimed at for a window of FULL_WINDOW places (see gapFor). */
  gapMs: number
  /** The places of the window: a larger window finds more ends at each look, so it looks more often. */
  window: number
  /**
   * How long the load balancer takes to pass an instance back InService (HealthyThresholdCount x
   * HealthCheckIntervalSeconds, the longest of the group's target groups); 0 when nothing checks it.
   */
  healthMs: number
}

/** Samples before a phase's learned durations replace the prior. */
const MIN_SAMPLES = 5
/** The window for which `gapMs` is the gap: smaller ones look more often (in proportion), larger ones too (as the power 3/4). */
const FULL_WINDOW = 100
/** Only the last samples count: what the account does now, not an hour ago. */
const MAX_SAMPLES = 400
/** Full looks of a window larger than FULL_WINDOW are never closer than this (gapFor). */
const MIN_GAP_MS = 5_000
/** A standby look due this close before a full one waits for it. */
const FOLD_MS = 5_000
/** A standby look is never sooner than this after a look. */
const STEP_MS = 1_000

/** A full look reads everything; a standby look only the group, to send the instances now in Standby. */
export type LookKind = 'full' | 'standby'

export class PollPlan {
  private readonly samples = new Map<TimedPhase, number[]>()
  /** How long after its start each instance was seen past a phase: the bound of a phase is read from these. */
  private readonly seen = new Map<TimedPhase, number[]>()
  private readonly sorted = new Map<TimedPhase, number[]>()

  /** When the next full look is due: full looks keep their cadence, whatever standby looks come between. */
  private nextFull: number | undefined

  constructor(private readonly settings: PollPlanSettings) {}

  /**
   * An instance was seen past a phase it entered at `since`: it ended between the look before
   * (`previousLook`) and this one (`now`). The middle of that span is taken, so that looking late
   * does not teach the planner that phases are long (and make it look later still).
   */
  learn(phase: TimedPhase, since: number, previousLook: number, now: number): void {
    const end = Math.max(since, (Math.max(since, previousLook) + now) / 2)
    keepLast(this.samples, phase, end - since)
    this.sorted.delete(phase)
    keepLast(this.seen, phase, now - since)
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
   * The gap between two full looks: the aimed-at gap of this window (gapFor), made a little shorter or
   * longer so that the time an instance sent back to service takes to be healthy again is a whole
   * number of gaps: the load balancer's check, after the instance is InService again. Leaving Standby
   * is taken to last as long as entering it did (entering also waits for the load balancer to drain
   * the instance, so it is never the shorter: a look then comes at most that much late). Without a
   * check to wait for, or one shorter than half a gap, the aimed-at gap itself.
   */
  gap(): number {
    const aimed = gapFor(this.settings.gapMs, this.settings.window, this.settings.pollIntervalMs)
    if (this.settings.healthMs <= 0) return aimed
    const back = this.settings.healthMs + this.bound('enteringStandby')
    const gaps = Math.round(back / aimed)
    return gaps < 1 ? aimed : Math.ceil(back / gaps)
  }

  /**
   * The next look after one at `now`, with these instances in flight (phase, since when): the next
   * full look of the cadence, or before it a standby look when the instances entering Standby should
   * all be there (the group read and their sends, nothing else; folded into the full look when that
   * comes within 5 s anyway).
   */
  nextLook(now: number, inFlight: {phase: InstancePhase; since: number}[]): {delayMs: number; kind: LookKind} {
    const gap = this.gap()
    // The first full look is a gap after the first look; a look that came late skips the gaps it missed.
    let full = this.nextFull ?? now
    while (full <= now) full += gap
    this.nextFull = full
    // The earliest of them plus the bound (read once: it sorts the samples).
    const entering = inFlight.filter((i) => i.phase === 'enteringStandby').map((i) => i.since)
    const standby = entering.length === 0 ? Number.POSITIVE_INFINITY : Math.max(Math.min(...entering) + this.bound('enteringStandby'), now + STEP_MS)
    if (standby < full - FOLD_MS) return {delayMs: standby - now, kind: 'standby'}
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

/** Adds a sample to a phase's list, which keeps the last MAX_SAMPLES. */
function keepLast(lists: Map<TimedPhase, number[]>, phase: TimedPhase, value: number): void {
  const list = lists.get(phase) ?? []
  list.push(value)
  if (list.length > MAX_SAMPLES) list.shift()
  lists.set(phase, list)
}

/** The value at quantile `q` (0 to 1, 1 excluded) of sorted values: the lowest for 0. */
function quantile(sorted: number[], q: number): number {
  return valueAt(sorted, Math.floor(sorted.length * q))
}

/** One of the samples, by an index the caller's bounds keep in range (a missing one is a bug here). */
function valueAt(sorted: number[], index: number): number {
  const value = sorted[index]
  if (value === undefined) throw new Error(`no sample at index ${index} of ${sorted.length}`)
  return value
}

/**
 * The gap aimed at for a window of `window` places: `gapMs` for FULL_WINDOW places.
 * - Smaller windows look more often, in proportion (each of their instances then waits no longer for a
 *   look than in a full window), but not more often than the poll interval: a look finds few ends
 *   there, and its calls are spread over few instances.
 * - Larger ones too, a little slower than they grow (as the power 3/4): a look of theirs finds more
 *   ends, and costs a little more (more Standby batches, more commands to list), so each instance is
 *   noticed sooner for about the same calls; never more often than every 5 s. Measured (bench/,
 *   N=10,000): the square root kept a window of 1,000 places at 10 s, 1.06x the ideal window for 0.52
 *   calls per instance; the power 3/4, at 5.7 s, within 1.05x for 0.70.
 */
export function gapFor(gapMs: number, window: number, pollIntervalMs: number): number {
  const share = Math.max(1, window) / FULL_WINDOW
  if (share <= 1) return Math.max(pollIntervalMs, Math.round(gapMs * share))
  return Math.max(MIN_GAP_MS, Math.round(gapMs * share ** -0.75))
}
