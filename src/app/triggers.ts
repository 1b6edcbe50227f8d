/**
 * Rollback triggers of a running release: a person's abort request (`release abort` from any process)
 * and the target's alarms. Both are looked at as each step starts (a step boundary) and on the step
 * clock after each wait (once a poll), but only during the steps where the release can still go back
 * (the strategy runner's stopSteps): the way back itself is never interrupted. A trigger makes the step throw,
 * and the machine takes the release back as it would after a failure (an abort is recorded as one).
 */
import {readAbortRequest, type AbortRequest} from '../engine/abort-request.js'
import type {AbortRequested} from '../../machines/common.js'
import type {Journal} from '../engine/journal.js'
import type {Clock} from '../ports/clock.js'
import type {StateStore} from '../ports/store.js'
import type {StopSteps} from './kinds/kind.js'

/** How much step-clock time passes between two looks from a waiting step: a poll is 5 s or more. */
const CHECK_EVERY_MS = 1_000

/**
 * How long a look for an abort request may stay owed to the next journal write (Journal.owe) before a
 * poll that wrote none reads the request itself: the bound on noticing an abort in a window
 * (docs/concepts.md). A window's write-ahead covers the sends of several polls (write-ahead.ts), so
 * sends it covered may still go out within this bound after a request; the way back restores them
 * like any other touched instance.
 */
export const ABORT_LOOK_BOUND_MS = 30_000

/** What stops a step: the abort request it carries makes the machine record an abort. */
export class AbortRequestedError extends Error implements AbortRequested {
  override readonly name = 'AbortRequestedError'
  readonly abortRequest: {reason: string; by: string}
  constructor(request: AbortRequest) {
    super(`aborted by ${request.by}: ${request.reason}`)
    this.abortRequest = {reason: request.reason, by: request.by}
  }
}

export interface TriggerOptions {
  store: StateStore
  stopSteps: StopSteps
  /** An alarm of the target in ALARM, as the message a failure gives, or undefined; absent without alarms. */
  alarm?: () => Promise<string | undefined>
  /** Writes why the release stops to its journal. */
  note?: (releaseId: string, message: string) => Promise<void>
  /**
   * The holder's journal: a look for an abort request after a wait is owed to the step's next
   * write-ahead entry, which stands for it when nothing else was appended to the journal since
   * (Journal.owe: one state call a poll, not two). Without it, each look reads the request at once.
   */
  journal?: Journal
}

export class Triggers {
  private releaseId: string | undefined
  private step: string | undefined
  private checkedAt = Number.NEGATIVE_INFINITY
  /** When (step clock) the look owed now was first owed: it stays owed from poll to poll until then + ABORT_LOOK_BOUND_MS. */
  private owedSince: number | undefined
  /** Whether a write-ahead of the current step has stood for a look (Journal.owe). */
  private writesAhead = false

  constructor(private readonly options: TriggerOptions) {}

  /** Watches the target's alarms too (once the account is open). */
  watchAlarms(alarm: () => Promise<string | undefined>): void {
    this.options.alarm = alarm
  }

  /** From now on the triggers watch this release (its id is known once the ledger has it). */
  arm(releaseId: string): void {
    this.releaseId = releaseId
  }

  /** The step hook: remembers the step and looks at once, before the step acts. */
  readonly atStep = async (step: string): Promise<void> => {
    this.step = step
    // This look reads the request itself: one owed by the step before is done by it.
    if (this.releaseId !== undefined) this.options.journal?.takeOwed(this.releaseId)
    this.owedSince = undefined
    this.writesAhead = false
    await this.check()
  }

  /**
   * The step clock, looking again after each wait (at most once a CHECK_EVERY_MS of its time). The
   * look for an abort request is owed to the next write-ahead entry (see TriggerOptions.journal); a
   * poll that wrote none reads the request before its next wait (in a step that writes ahead, once
   * the look has been owed ABORT_LOOK_BOUND_MS), so an abort is noticed within that bound, or one
   * poll when polls are further apart.
   */
  clock(inner: Clock): Clock {
    return {
      now: () => inner.now(),
      sleep: async (ms: number) => {
        await this.lookIfOwedTooLong(inner.now())
        await inner.sleep(ms)
        if (inner.now() - this.checkedAt < CHECK_EVERY_MS) return
        this.checkedAt = inner.now()
        await this.check(true, inner.now())
      },
    }
  }

  /**
   * Reads the request now, unless the step writes ahead (a write-ahead has stood for a look of it)
   * and the look owed has waited less than ABORT_LOOK_BOUND_MS for the next one. A step that never
   * writes ahead (a bake, a stack being made) reads it every poll: nothing else would stand for it.
   */
  private async lookIfOwedTooLong(now: number): Promise<void> {
    const {releaseId} = this
    const journal = this.options.journal
    if (releaseId === undefined || !journal) return
    if (!journal.owes(releaseId)) {
      // A write-ahead stood for the look owed since the last wait: this step writes ahead.
      if (this.owedSince !== undefined) this.writesAhead = true
      this.owedSince = undefined
      return
    }
    if (this.writesAhead && this.owedSince !== undefined && now - this.owedSince < ABORT_LOOK_BOUND_MS) return
    this.owedSince = undefined
    await journal.payOwed(releaseId)
  }

  private async check(owe = false, now = 0): Promise<void> {
    const {releaseId, step} = this
    if (releaseId === undefined || step === undefined) return
    const {stopSteps, journal} = this.options
    if (stopSteps.abort.includes(step)) {
      if (owe && journal) {
        // Owed already (no write-ahead since): the bound runs from the first time.
        if (!journal.owes(releaseId)) this.owedSince = now
        journal.owe(releaseId, () => this.lookForAbort(releaseId))
      } else await this.lookForAbort(releaseId)
    }
    if (this.options.alarm && stopSteps.alarms.includes(step)) {
      const firing = await this.options.alarm()
      if (firing) {
        await this.options.note?.(releaseId, `${firing}; going back`)
        throw new Error(firing)
      }
    }
  }

  /** Reads the release's abort request; when there is one, notes it and stops the step. */
  private async lookForAbort(releaseId: string): Promise<void> {
    const request = await readAbortRequest(this.options.store, releaseId)
    if (request) {
      await this.options.note?.(releaseId, `abort requested by ${request.by} at ${request.at}: ${request.reason}; going back`)
      throw new AbortRequestedError(request)
    }
  }
}
