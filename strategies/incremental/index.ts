/** The incremental (in-place) strategy: the steps of machines/incremental.ts bound to the ports. */
import {fromPromise} from 'xstate'
import {incrementalMachine} from '../../machines/incremental.js'
import {hooked, type StepHook} from '../../src/util/step-hook.js'
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
  return incrementalMachine.provide({
    actors: {
      plan: fromPromise(hooked(atStep, 'plan', plan(deps, journal))),
      roll: fromPromise(hooked(atStep, 'roll', roll(deps, journal))),
      bake: fromPromise(hooked(atStep, 'bake', bake(deps))),
      restore: fromPromise(hooked(atStep, 'restore', restore(deps, journal))),
    },
  })
}
