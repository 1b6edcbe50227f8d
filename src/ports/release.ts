/** Words of the CLI contract (docs/exit-codes.md) shared by the engine, the strategies and the commands. */

export type StrategyName = 'immutable' | 'incremental'

/** What a release does: roll a version out, roll back to an earlier one, or converge drift (the live version again). */
export type ReleaseKind = 'rollout' | 'rollback' | 'converge'

export type Outcome = 'inProgress' | 'paused' | 'succeeded' | 'rolledBack' | 'failed' | 'aborted'

export const EXIT = {
  succeeded: 0,
  failed: 1,
  usage: 2,
  rolledBack: 3,
  locked: 4,
  waitTimedOut: 5,
  /** `release drift`: the account differs from the ledger or the desired version. */
  drifted: 6,
  paused: 10,
} as const

export function exitCodeFor(outcome: Outcome): number {
  switch (outcome) {
    case 'succeeded':
      return EXIT.succeeded
    case 'rolledBack':
    case 'aborted':
      return EXIT.rolledBack
    case 'paused':
      return EXIT.paused
    case 'failed':
    case 'inProgress':
      return EXIT.failed
  }
}

/** What a strategy reports while it works: shown live on a TTY, one line per step in CI, kept in the journal. */
export interface ProgressEvent {
  releaseId: string
  step: string
  message: string
  /** Instance counts for the live view, when the step is about a fleet. */
  instances?: {total: number; ready: number; unhealthy?: number}
  /** Time left of a wait with a deadline (the bake), in the account's time, for a countdown. */
  remainingMs?: number
}

export type ProgressSink = (event: ProgressEvent) => void
