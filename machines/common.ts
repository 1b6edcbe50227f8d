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

/** What a person sends to a release waiting at a gate. */
export type GateEvent = {type: 'PROMOTE'} | {type: 'ABORT'; reason?: string}

/** Why a release was sent back by a person rather than by a failure. */
export interface Abort {
  /** The gate (state) it was aborted at. */
  at: string
  reason: string
}

/** The message of an actor's error event (or of any thrown value). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** A step's failure, from the error event of its actor: the value both machines assign to `failure`. */
export function failureOf({event}: {event: unknown}, params: {step: string}): StepFailure {
  return {step: params.step, message: errorMessage((event as {error?: unknown}).error)}
}

/** A person's abort at a gate, from the ABORT event: the value both machines assign to `abort`. */
export function abortOf({event}: {event: unknown}, params: {at: string}): Abort {
  return {at: params.at, reason: (event as {reason?: string}).reason ?? 'aborted by a person'}
}

/** Gate states are named `paused...`: the release waits there for `release promote` or `release abort`. */
export function isGateState(state: string): boolean {
  return state.startsWith('paused')
}
