import {setImmediate as yieldToLoop} from 'node:timers/promises'
import {setTimeout as realSleep} from 'node:timers/promises'
import type {Clock} from '../ports/clock.js'

/** The wall clock, for real AWS. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now()
  }
  async sleep(ms: number): Promise<void> {
    if (ms > 0) await realSleep(ms)
  }
}

/**
 * Virtual time that moves only when someone sleeps: tests and the simulated account run at full
 * speed. It still yields to the event loop on every sleep so that concurrent work interleaves.
 */
export class VirtualClock implements Clock {
  constructor(private current: number = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current
  }
  async sleep(ms: number): Promise<void> {
    if (ms > 0) this.current += ms
    await yieldToLoop()
  }
  /** Moves time forward without sleeping (tests). */
  advance(ms: number): void {
    this.current += ms
  }
  /** Never behind `time`: a new process joins a simulated account where the last one left it. */
  catchUp(time: number): void {
    this.current = Math.max(this.current, time)
  }
}

/**
 * Virtual time that runs `speed` times faster than the wall clock, so a demo on the simulated account
 * stays watchable: a 2-minute bake at speed 20 takes 6 real seconds.
 */
export class PacedClock implements Clock {
  private readonly start = Date.now()
  constructor(
    private readonly speed: number,
    private base: number = Date.now(),
  ) {}
  now(): number {
    return this.base + (Date.now() - this.start) * this.speed
  }
  /** Never behind `time`: a new process joins a simulated account where the last one left it. */
  catchUp(time: number): void {
    const behind = time - this.now()
    if (behind > 0) this.base += behind
  }
  async sleep(ms: number): Promise<void> {
    if (ms > 0) await realSleep(ms / this.speed)
  }
}
