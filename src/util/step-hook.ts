/**
 * Called with a step's name (the machine's actor name) as the step starts, before it acts on the
 * account: the app stops a release there that a person asked to stop (a step boundary), by throwing.
 */
export type StepHook = (step: string) => Promise<void>

/** The step with the hook run first; the step itself when there is no hook. */
export function hooked<A, R>(hook: StepHook | undefined, step: string, run: (args: A) => Promise<R>): (args: A) => Promise<R> {
  if (!hook) return run
  return async (args: A) => {
    await hook(step)
    return run(args)
  }
}
