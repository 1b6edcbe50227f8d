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

/** Sleeps until the ISO deadline kept in a machine's context (never an xstate `after`, which is not restored). */
export async function sleepUntil(clock: Clock, isoDeadline: string): Promise<void> {
  const remaining = Date.parse(isoDeadline) - clock.now()
  if (remaining > 0) await clock.sleep(remaining)
}
