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
import {hooked, type StepHook} from '../../src/util/step-hook.js'

export type {ImmutableDeps, ImmutableSettings} from './deps.js'
export {TAG, stackNameFor} from './deps.js'

/** `atStep` runs as each step starts (the app's abort check at step boundaries). */
export function immutableStrategy(deps: ImmutableDeps, atStep?: StepHook) {
  return immutableMachine.provide({
    actors: {
      plan: fromPromise(hooked(atStep, 'plan', plan(deps))),
      provision: fromPromise(hooked(atStep, 'provision', provision(deps))),
      awaitCapacity: fromPromise(hooked(atStep, 'awaitCapacity', awaitCapacity(deps))),
      verify: fromPromise(hooked(atStep, 'verify', verify(deps))),
      shift: fromPromise(hooked(atStep, 'shift', shift(deps))),
      bake: fromPromise(hooked(atStep, 'bake', bake(deps))),
      retire: fromPromise(hooked(atStep, 'retire', retire(deps))),
      revertTraffic: fromPromise(hooked(atStep, 'revertTraffic', revertTraffic(deps))),
      discard: fromPromise(hooked(atStep, 'discard', discard(deps))),
    },
  })
}
