/**
 * The immutable (red/black) strategy: the steps of machines/immutable.ts bound to the ports.
 */
import {immutableMachine} from '../../machines/immutable.js'
import {awaitCapacity} from './capacity.js'
import type {ImmutableDeps} from './deps.js'
import {bake} from './bake.js'
import {discard} from './discard.js'
import {plan} from './plan.js'
import {provision} from './provision.js'
import {retire} from './retire.js'
import {revertTraffic, shift} from './shift.js'
import {verify} from './verify.js'
import {fromPromise} from 'xstate'

export type {ImmutableDeps, ImmutableSettings} from './deps.js'
export {TAG, stackNameFor} from './deps.js'

export function immutableStrategy(deps: ImmutableDeps) {
  return immutableMachine.provide({
    actors: {
      plan: fromPromise(plan(deps)),
      provision: fromPromise(provision(deps)),
      awaitCapacity: fromPromise(awaitCapacity(deps)),
      verify: fromPromise(verify(deps)),
      shift: fromPromise(shift(deps)),
      bake: fromPromise(bake(deps)),
      retire: fromPromise(retire(deps)),
      revertTraffic: fromPromise(revertTraffic(deps)),
      discard: fromPromise(discard(deps)),
    },
  })
}
