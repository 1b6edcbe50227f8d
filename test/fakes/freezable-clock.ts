import type {Clock} from '../../src/ports/clock.js'

/** A clock whose sleeps block while frozen: the process it belongs to stands still, others go on. */
export class FreezableClock implements Clock {
  private gate: Promise<void> | undefined
  private open: (() => void) | undefined
  private onStalled: (() => void) | undefined
  private inner: Clock | undefined
  readonly stalled: Promise<void>
  constructor() {
    this.stalled = new Promise((resolve) => (this.onStalled = resolve))
  }
  /** Used as the account's `wrapClock`. */
  wrap(inner: Clock): Clock {
    this.inner = inner
    return this
  }
  now(): number {
    return this.inner!.now()
  }
  private froze = false
  /** Stops the process at its next wait, the first time only. */
  freezeOnce(): void {
    if (this.froze) return
    this.froze = true
    this.gate = new Promise((resolve) => (this.open = resolve))
  }
  thaw(): void {
    this.open?.()
    this.gate = undefined
  }
  async sleep(ms: number): Promise<void> {
    if (this.gate) {
      this.onStalled?.()
      await this.gate
    }
    await this.inner!.sleep(ms)
  }
}
