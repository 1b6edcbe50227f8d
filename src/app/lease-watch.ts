/**
 * A running release keeps watching that it still holds its target's lease. When it no longer does
 * (its renewal is refused, a fenced write is refused, or it wakes from a wait to find another holder),
 * it stops at once: `signal` aborts the persisted run, and a step waiting on the watched clock never
 * wakes to act on the account again. A release whose caller AWS no longer lets act stops the same way
 * (interrupt), for `release resume` once that is fixed.
 */
import {leaseLost} from '../engine/fenced.js'
import type {Lease} from '../engine/lease.js'
import type {Clock} from '../ports/clock.js'
import type {StateStore} from '../ports/store.js'

/**
 * How much step-clock time passes between two reads of the lease from a waiting step: the renewal
 * period of the default lease (DEFAULT_LEASE_TTL_MS / 3, src/app/lease-ttl.ts). No one else may take a lease before it expires, and a
 * refused renewal or fenced write stops the release at once, so reading it more often only costs a
 * state-store call at every poll of a window (a DynamoDB read per poll). A wait that stood still
 * longer than this (a stopped process) still reads it before acting.
 */
const CHECK_EVERY_MS = 100_000

export class LeaseWatch {
  private readonly controller = new AbortController()

  constructor(
    private readonly store: StateStore,
    readonly lease: Lease,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** Whether the release stopped: its lease lost, or interrupted. */
  get stopped(): boolean {
    return this.controller.signal.aborted
  }

  /** Stops the release: the lease is someone else's now. */
  async markLost(): Promise<void> {
    if (this.stopped) return
    const error = await leaseLost(this.store, this.lease)
    if (!this.stopped) this.controller.abort(error)
  }

  /**
   * Stops the release where it is, as a crash would, with `error` as the run's end: its last
   * persisted state stays for `release resume`, and its steps never act on the account again.
   */
  interrupt(error: Error): void {
    if (!this.stopped) this.controller.abort(error)
  }

  /** Step-clock time of the last write that went through under the lease's fence. */
  private writtenAt = Number.NEGATIVE_INFINITY
  private stepNow: (() => number) | undefined

  /**
   * A write under the lease's fence went through (src/engine/fenced.ts): the lease was ours then, as
   * good as a read of it, so the next read waits CHECK_EVERY_MS from here. A release that writes every
   * poll reads its lease only when it stops writing.
   */
  written(): void {
    if (this.stepNow) this.writtenAt = this.stepNow()
  }

  /** The step clock, checking the lease after each wait. */
  clock(inner: Clock): Clock {
    let checkedAt = inner.now()
    this.stepNow = () => inner.now()
    const never = new Promise<void>(() => {})
    return {
      now: () => inner.now(),
      sleep: async (ms: number) => {
        await inner.sleep(ms)
        if (!this.stopped && inner.now() - Math.max(checkedAt, this.writtenAt) >= CHECK_EVERY_MS) {
          checkedAt = inner.now()
          if (!(await this.lease.isOurs())) await this.markLost()
        }
        // A step of a stopped release never runs on: whoever holds the lease now drives the account,
        // or a resume will.
        if (this.stopped) await never
      },
    }
  }
}
