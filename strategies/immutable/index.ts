/**
 * The immutable (red/black) strategy: the steps of machines/immutable.ts bound to the ports.
 */
import {immutableMachine, type StepInput} from '../../machines/immutable.js'
import {immutableStepInputs as inputs} from '../../machines/immutable-inputs.js'
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
import {hooked, narrowed, type StepHook} from '../../src/util/step-hook.js'

export type {ImmutableDeps, ImmutableSettings} from './deps.js'
export {TAG, stackNameFor} from './deps.js'

/** `atStep` runs as each step starts (the app's abort check at step boundaries). */
export function immutableStrategy(deps: ImmutableDeps, atStep?: StepHook) {
  // Each step gets its narrow input (machines/immutable-inputs.ts), checked once as it starts.
  const step = <I, R>(name: string, narrow: (input: StepInput) => I, run: (input: I) => Promise<R>) =>
    fromPromise(hooked(atStep, name, narrowed(narrow, run)))
  return immutableMachine.provide({
    actors: {
      plan: step('plan', inputs.plan, plan(deps)),
      provision: step('provision', inputs.provision, provision(deps)),
      awaitCapacity: step('awaitCapacity', inputs.awaitCapacity, awaitCapacity(deps)),
      verify: step('verify', inputs.verify, verify(deps)),
      shift: step('shift', inputs.shift, shift(deps)),
      bake: step('bake', inputs.bake, bake(deps)),
      retire: step('retire', inputs.retire, retire(deps)),
      revertTraffic: step('revertTraffic', inputs.revertTraffic, revertTraffic(deps)),
      discard: step('discard', inputs.discard, discard(deps)),
    },
  })
}
