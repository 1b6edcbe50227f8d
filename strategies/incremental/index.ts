/** The incremental (in-place) strategy: the steps of machines/incremental.ts bound to the ports. */
import {fromPromise} from 'xstate'
import {incrementalMachine} from '../../machines/incremental.js'
import type {InstanceJournal} from '../../src/ports/instance-journal.js'
import {bake} from './bake.js'
import type {IncrementalDeps} from './deps.js'
import {plan} from './plan.js'
import {restore, roll} from './roll.js'

export type {IncrementalDeps, IncrementalSettings, Amount, FleetSelector, ChangeSettings} from './deps.js'
export {resolveAmount, windowSize} from './deps.js'
export {fleetMembers} from './fleet.js'

export function incrementalStrategy(deps: IncrementalDeps, journal: InstanceJournal) {
  return incrementalMachine.provide({
    actors: {
      plan: fromPromise(plan(deps, journal)),
      roll: fromPromise(roll(deps, journal)),
      bake: fromPromise(bake(deps)),
      restore: fromPromise(restore(deps, journal)),
    },
  })
}
