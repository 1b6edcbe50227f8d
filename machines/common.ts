/** Pieces every release machine shares. Types and xstate only. */

export interface StepFailure {
  /** The machine state whose step failed, e.g. 'awaitingCapacity'. */
  step: string
  message: string
}

/**
 * The body of a placeholder actor: a machine used without `provide` fails loudly instead of
 * pretending a step was done.
 */
export function notProvided(name: string) {
  return async (): Promise<never> => {
    throw new Error(`step '${name}' has no implementation: bind it with machine.provide({actors})`)
  }
}

/** Final states and the outcome each one means in the CLI contract. */
export const FINAL_OUTCOMES = {
  succeeded: 'succeeded',
  rolledBack: 'rolledBack',
  failed: 'failed',
} as const
