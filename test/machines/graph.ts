import {getSimplePaths} from '@xstate/graph'
import type {AnyStateMachine, EventObject} from 'xstate'

/**
 * Every step of a release machine is an invoked actor, so its paths are walked with the events an
 * actor sends when it finishes: done (with the output a step gives) or error.
 */
export function stepEvents(outputs: Record<string, unknown>): EventObject[] {
  return Object.entries(outputs).flatMap(([id, output]) => [
    {type: `xstate.done.actor.${id}`, output} as EventObject,
    {type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`)} as EventObject,
  ])
}

/** All simple paths from the initial state, as the list of state values each visits. */
export function allPaths(machine: AnyStateMachine, input: unknown, events: EventObject[]): string[][] {
  const paths = getSimplePaths(machine, {input, events} as never)
  // Each step holds the state reached by its event; the first is the initial state (xstate.init).
  return paths.map((path) => path.steps.map((s) => String(s.state.value)))
}
