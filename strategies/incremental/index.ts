/** The incremental (in-place) strategy: the steps of machines/incremental.ts bound to the ports. */
import {fromPromise} from 'xstate'
import {incrementalMachine} from '../../machines/incremental.js'
import {incrementalStepInputs as inputs} from '../../machines/incremental-inputs.js'
import {hooked, narrowed, type StepHook} from '../../src/util/step-hook.js'
import type {InstanceJournal} from '../../src/ports/instance-journal.js'
import {bake} from './bake.js'
import type {IncrementalDeps} from './deps.js'
import {plan} from './plan.js'
import {restore, roll} from './roll.js'

export type {IncrementalDeps, IncrementalSettings, Amount, FleetSelector, ChangeSettings} from './deps.js'
export {resolveAmount, windowSize} from './deps.js'
export {fleetMembers} from './fleet.js'

/** `atStep` runs as each step starts (the app's abort check at step boundaries). */
export function incrementalStrategy(deps: IncrementalDeps, journal: InstanceJournal, atStep?: StepHook) {
  // Each step gets its narrow input (machines/incremental-inputs.ts), checked once as it starts.
  return incrementalMachine.provide({
    actors: {
      plan: fromPromise(hooked(atStep, 'plan', narrowed(inputs.plan, plan(deps, journal)))),
      roll: fromPromise(hooked(atStep, 'roll', narrowed(inputs.roll, roll(deps, journal)))),
      bake: fromPromise(hooked(atStep, 'bake', narrowed(inputs.bake, bake(deps)))),
      restore: fromPromise(hooked(atStep, 'restore', narrowed(inputs.restore, restore(deps, journal)))),
    },
  })
}
