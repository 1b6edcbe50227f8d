/**
 * Time, injected everywhere a step waits or stamps a deadline. Tests and the simulated account use a
 * virtual clock, so no test sleeps in real time; against AWS it is the wall clock.
 */
export interface Clock {
  /** Milliseconds since the epoch, as this clock sees them. */
  now(): number
  /** Resolves once `ms` milliseconds have passed on this clock. */
  sleep(ms: number): Promise<void>
}
