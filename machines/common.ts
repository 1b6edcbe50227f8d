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
export type GateEvent = {type: 'PROMOTE'} | {type: 'ABORT'; reason?: string; by?: string}

/** Why a release was sent back by a person rather than by a failure. */
export interface Abort {
  /** The gate or step (state) it was aborted at. */
  at: string
  reason: string
  /** Who aborted it (user@host); absent in snapshots of older releases. */
  by?: string
}

/**
 * A step stopped because a person asked the release to stop (`release abort` while it runs): the
 * error carries the request, so that the machine records an abort, not a failure. Duck-typed here
 * because machines import nothing but xstate.
 */
export interface AbortRequested {
  abortRequest: {reason: string; by?: string}
}

function requestOf(error: unknown): AbortRequested['abortRequest'] | undefined {
  const request = (error as Partial<AbortRequested> | null | undefined)?.abortRequest
  return request && typeof request.reason === 'string' ? request : undefined
}

/** The message of an actor's error event (or of any thrown value). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** A step's failure, from the error event of its actor: the value both machines assign to `failure`. */
export function failureOf({event}: {event: unknown}, params: {step: string}): StepFailure {
  return {step: params.step, message: errorMessage((event as {error?: unknown}).error)}
}

/**
 * A step's error event as both machines record it: a person's abort request as `abort`, anything
 * else as `failure`. Either way the release goes back the same way.
 */
export function failureOrAbort(args: {event: unknown}, params: {step: string}): {failure: StepFailure} | {abort: Abort} {
  const request = requestOf((args.event as {error?: unknown}).error)
  if (request) return {abort: {at: params.step, reason: request.reason, ...(request.by ? {by: request.by} : {})}}
  return {failure: failureOf(args, params)}
}

/** A person's abort at a gate, from the ABORT event: the value both machines assign to `abort`. */
export function abortOf({event}: {event: unknown}, params: {at: string}): Abort {
  const {reason, by} = event as {reason?: string; by?: string}
  return {at: params.at, reason: reason ?? 'aborted by a person', ...(by ? {by} : {})}
}

/** Gate states are named `paused...`: the release waits there for `release promote` or `release abort`. */
export function isGateState(state: string): boolean {
  return state.startsWith('paused')
}

/**
 * A step found the context without what an earlier step records (a damaged or hand-edited
 * snapshot): thrown inside the step, so that the machine takes the step's way back with this message.
 */
export function missingFromContext(state: string, what: string): Error {
  return new Error(`${state}: the release's context has no ${what}; its persisted snapshot is incomplete`)
}
