/**
 * Called with a step's name (the machine's actor name) as the step starts, before it acts on the
 * account: the app stops a release there that a person asked to stop (a step boundary), by throwing.
 * Called again with `failed` when the step throws, before the machine hears of it: the app stops the
 * release there instead, as a crash would (the hook then never returns), when the failure is not the
 * step's but the caller's (AWS no longer lets it act); otherwise the failure goes on to the machine.
 */
export type StepHook = (step: string, failed?: {error: unknown}) => Promise<void>

/** The step with the hook run first, and on its failure; the step itself when there is no hook. */
export function hooked<A, R>(hook: StepHook | undefined, step: string, run: (args: A) => Promise<R>): (args: A) => Promise<R> {
  if (!hook) return run
  return async (args: A) => {
    await hook(step)
    try {
      return await run(args)
    } catch (error) {
      await hook(step, {error})
      throw error
    }
  }
}

/**
 * A step that reads a narrow input, bound to an actor that is given the machine's: `narrow` picks
 * and checks what the step needs (throwing inside the actor, so the machine takes the step's way
 * back), then the step runs with it.
 */
export function narrowed<M, I, R>(narrow: (input: M) => I, run: (input: I) => Promise<R>): (args: {input: M}) => Promise<R> {
  return async ({input}) => run(narrow(input))
}
