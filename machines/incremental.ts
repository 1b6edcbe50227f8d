/**
 * The incremental (in-place) release as a pure xstate machine. A durable fleet is changed where it
 * stands through Systems Manager: a canary first, then the rest in a sliding window of at most
 * `maxUnavailable` instances out of service, then a bake. Too many failures, or an unhealthy
 * instance, send every touched instance back to the version it ran before, in the same window.
 *
 * Per-instance progress lives in the engine's journal, not in this context, so that a snapshot stays
 * small whatever the fleet size; the steps read it back when a release is resumed.
 */
import {assign, fromPromise, setup} from 'xstate'
import {abortOf, failureOf, failureOrAbort, notProvided, type Abort, type GateEvent, type StepFailure} from './common.js'

export const INCREMENTAL_MACHINE_VERSION = '2'

/** Where an incremental release can wait for a person: after the canary, before the rest of the fleet. */
export type IncrementalGate = 'afterCanary'

export interface IncrementalInput {
  releaseId: string
  target: string
  version: string
  kind: 'rollout' | 'rollback' | 'converge'
  /**
   * A converge (`release converge`): only these instances of the fleet, the drifted ones, are changed;
   * the rest is left alone. Absent for a rollout or rollback, which change the whole fleet.
   */
  only?: string[]
  /** The live version when this release starts: what an instance is restored to when its own is unknown. */
  previousVersion: string | null
  /** Gates this release stops at (paused, exit 10) until promoted or aborted. */
  gates: IncrementalGate[]
}

export interface FleetPlan {
  fleetSize: number
  /** maxUnavailable resolved against the fleet. */
  window: number
  /** maxErrors resolved against the fleet. */
  maxErrors: number
  canary: number
}

export interface Tally {
  changed: number
  failed: number
}

export interface RestoreResult {
  restored: number
  /** Instances that could not be put back, with the version each one runs now as far as known. */
  stranded: {instanceId: string; version: string | null; reason: string}[]
  /**
   * Instances the group terminated during the release (nothing to restore on them) and those it
   * launched in their place, which booted what the launch template boots and were put back on the
   * restored version with the rest.
   */
  replaced?: {gone: string[]; launched: string[]}
}

export interface IncrementalContext extends IncrementalInput {
  plan: FleetPlan | null
  tally: Tally
  bakeUntil: string | null
  failure: StepFailure | null
  rollbackFailure: StepFailure | null
  restore: RestoreResult | null
  /** Set when a person aborted the release at a gate. */
  abort: Abort | null
}

export interface StepInput {
  context: IncrementalContext
}

export interface RollInput extends StepInput {
  /** The canary (the first `canary` instances of the plan) or the rest of the fleet. */
  scope: 'canary' | 'rest'
}

export interface RollOutput {
  tally: Tally
  /** Fixed when the last instance is done, so that a resumed bake keeps its deadline. */
  bakeUntil: string
}


/** A release's context before its first step: what the steps record is still to come. */
export function initialIncrementalContext(input: IncrementalInput): IncrementalContext {
  return {...input, plan: null, tally: {changed: 0, failed: 0}, bakeUntil: null, failure: null, rollbackFailure: null, restore: null, abort: null}
}

export const incrementalMachine = setup({
  types: {
    context: {} as IncrementalContext,
    input: {} as IncrementalInput,
    events: {} as GateEvent,
  },
  guards: {
    gateAfterCanary: ({context}) => context.gates.includes('afterCanary'),
  },
  actors: {
    plan: fromPromise<FleetPlan, StepInput>(notProvided('plan')),
    roll: fromPromise<RollOutput, RollInput>(notProvided('roll')),
    bake: fromPromise<void, StepInput>(notProvided('bake')),
    restore: fromPromise<RestoreResult, StepInput>(notProvided('restore')),
  },
  actions: {
    recordAbort: assign({abort: (args, params: {at: string}) => abortOf(args, params)}),
    // A step stopped by a person's abort request is recorded as an abort, any other error as a failure.
    recordFailure: assign((args, params: {step: string}) => failureOrAbort(args, params)),
    recordRollbackFailure: assign({rollbackFailure: (args, params: {step: string}) => failureOf(args, params)}),
    recordRoll: assign(({event}) => {
      const output = (event as unknown as {output: RollOutput}).output
      return {tally: output.tally, bakeUntil: output.bakeUntil}
    }),
  },
}).createMachine({
  id: 'incremental',
  context: ({input}) => initialIncrementalContext(input),
  initial: 'planning',
  states: {
    planning: {
      invoke: {
        id: 'plan',
        src: 'plan',
        input: ({context}) => ({context}),
        onDone: [
          {guard: ({event}) => event.output.canary > 0, target: 'canary', actions: assign({plan: ({event}) => event.output})},
          {target: 'rolling', actions: assign({plan: ({event}) => event.output})},
        ],
        // Planning only reads the fleet: nothing changed, but a human must look.
        onError: {target: 'failed', actions: {type: 'recordFailure', params: {step: 'planning'}}},
      },
    },
    canary: {
      invoke: {
        id: 'canary',
        src: 'roll',
        input: ({context}) => ({context, scope: 'canary' as const}),
        onDone: [
          {guard: 'gateAfterCanary', target: 'pausedAfterCanary', actions: 'recordRoll'},
          {target: 'rolling', actions: 'recordRoll'},
        ],
        onError: {target: 'rollingBack', actions: {type: 'recordFailure', params: {step: 'canary'}}},
      },
    },
    // Gate: the canary runs the new version; the rest of the fleet does not yet.
    pausedAfterCanary: {
      on: {
        PROMOTE: 'rolling',
        ABORT: {target: 'rollingBack', actions: {type: 'recordAbort', params: {at: 'pausedAfterCanary'}}},
      },
    },
    rolling: {
      invoke: {
        id: 'rolling',
        src: 'roll',
        input: ({context}) => ({context, scope: 'rest' as const}),
        onDone: {target: 'baking', actions: 'recordRoll'},
        onError: {target: 'rollingBack', actions: {type: 'recordFailure', params: {step: 'rolling'}}},
      },
    },
    baking: {
      invoke: {
        id: 'bake',
        src: 'bake',
        input: ({context}) => ({context}),
        onDone: 'succeeded',
        onError: {target: 'rollingBack', actions: {type: 'recordFailure', params: {step: 'baking'}}},
      },
    },
    rollingBack: {
      invoke: {
        id: 'restore',
        src: 'restore',
        input: ({context}) => ({context}),
        onDone: [
          {
            guard: ({event}) => event.output.stranded.length === 0,
            target: 'rolledBack',
            actions: assign({restore: ({event}) => event.output}),
          },
          {
            target: 'failed',
            actions: assign({
              restore: ({event}) => event.output,
              rollbackFailure: ({event}) => ({
                step: 'rollingBack',
                message: `${event.output.stranded.length} instances could not be restored`,
              }),
            }),
          },
        ],
        onError: {target: 'failed', actions: {type: 'recordRollbackFailure', params: {step: 'rollingBack'}}},
      },
    },
    succeeded: {type: 'final'},
    rolledBack: {type: 'final'},
    failed: {type: 'final'},
  },
})

export type IncrementalMachine = typeof incrementalMachine
