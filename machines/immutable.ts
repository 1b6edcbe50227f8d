/**
 * The immutable (red/black) release as a pure xstate machine: states, events and named placeholder
 * actors only. Strategies bind the real steps with `immutableMachine.provide({actors})`, so this one
 * definition serves the runtime, the graph tests and the diagrams. No AWS, no I/O, no clock here.
 *
 * Every step is an invoked promise actor. A restored snapshot re-runs the step that was in flight, so
 * each step must be idempotent; waits are deadlines kept in context, never `after` timers.
 */
import {assign, fromPromise, setup} from 'xstate'
import {abortOf, failureOf, failureOrAbort, errorMessage, notProvided, type Abort, type GateEvent, type StepFailure} from './common.js'

/** Bumped whenever a persisted snapshot of an older definition could no longer be resumed. */
export const IMMUTABLE_MACHINE_VERSION = '2'

/** Where an immutable release can wait for a person: before traffic moves, and before the old group goes. */
export type ImmutableGate = 'beforeShift' | 'beforeRetire'

export interface PreviousRelease {
  version: string
  stackName: string
}

export interface ImmutableInput {
  releaseId: string
  target: string
  version: string
  kind: 'rollout' | 'rollback' | 'converge'
  /** The live release when this one starts, or null for a target's first release. */
  previous: PreviousRelease | null
  /**
   * Unique to this release (random): it makes the release's CloudFormation tokens and stack tag its
   * own, so that a stack left by another release with the same id (a lost ledger) is never adopted
   * or deleted as if it were this one's.
   */
  nonce: string
  /** Gates this release stops at (paused, exit 10) until promoted or aborted. */
  gates: ImmutableGate[]
  /**
   * A group already serving the traffic sources that the ledger does not know (`rollout --adopt`): it
   * is the old group of this release, detached after the shift. Optional: older snapshots lack it.
   */
  adopt?: AdoptedGroup | null
  /** The stack retention keeps first: the last known good once this release succeeds (what rollback returns to). */
  keepFirst?: string | null
  /** `rollback --emergency`: no bake, no gates. */
  emergency?: boolean
}

export interface AdoptedGroup {
  group: string
  /** As its tags say, or 'unknown'. */
  version: string
}

export interface NewStack {
  name: string
  /** A stack retained (scaled to zero) from an earlier release of the same version, scaled up instead of created. */
  reused: boolean
  /** The new stack's Auto Scaling group, known once provisioned. */
  group: string | null
}

export interface RetireResult {
  scaledDown: string[]
  kept: string[]
  deleted: string[]
  warnings: string[]
  /** The old group left serving-ready (keepWarm) instead of scaled to zero, and until when. */
  warm?: {group: string; until: string} | null
}

export interface ImmutableContext extends ImmutableInput {
  newStack: NewStack | null
  /** The previous release's group, which keeps serving until the shift and is kept warm during the bake. */
  oldGroup: string | null
  /** ISO deadline of the bake, fixed when traffic moved so that a resumed bake does not start over. */
  bakeUntil: string | null
  /** The failure that sent the release back, when it went back. */
  failure: StepFailure | null
  /** The failure of the way back itself: a human is needed. */
  rollbackFailure: StepFailure | null
  retired: RetireResult | null
  /** Set when a person aborted the release at a gate. */
  abort: Abort | null
}

export interface PlanOutput {
  newStack: NewStack
  oldGroup: string | null
}

export interface ShiftOutput {
  bakeUntil: string
}

export interface StepInput {
  context: ImmutableContext
}

const stepInput = ({context}: {context: ImmutableContext}): StepInput => ({context})

/** A release's context before its first step: what the steps record is still to come. */
export function initialImmutableContext(input: ImmutableInput): ImmutableContext {
  return {...input, newStack: null, oldGroup: null, bakeUntil: null, failure: null, rollbackFailure: null, retired: null, abort: null}
}

export const immutableMachine = setup({
  types: {
    context: {} as ImmutableContext,
    input: {} as ImmutableInput,
    events: {} as GateEvent,
  },
  actors: {
    plan: fromPromise<PlanOutput, StepInput>(notProvided('plan')),
    provision: fromPromise<{group: string}, StepInput>(notProvided('provision')),
    awaitCapacity: fromPromise<void, StepInput>(notProvided('awaitCapacity')),
    verify: fromPromise<void, StepInput>(notProvided('verify')),
    shift: fromPromise<ShiftOutput, StepInput>(notProvided('shift')),
    bake: fromPromise<void, StepInput>(notProvided('bake')),
    retire: fromPromise<RetireResult, StepInput>(notProvided('retire')),
    revertTraffic: fromPromise<void, StepInput>(notProvided('revertTraffic')),
    discard: fromPromise<void, StepInput>(notProvided('discard')),
  },
  guards: {
    gateBeforeShift: ({context}) => context.gates.includes('beforeShift'),
    gateBeforeRetire: ({context}) => context.gates.includes('beforeRetire'),
  },
  actions: {
    recordAbort: assign({abort: (args, params: {at: string}) => abortOf(args, params)}),
    // A step stopped by a person's abort request is recorded as an abort, any other error as a failure.
    recordFailure: assign((args, params: {step: string}) => failureOrAbort(args, params)),
    recordRollbackFailure: assign({rollbackFailure: (args, params: {step: string}) => failureOf(args, params)}),
  },
}).createMachine({
  id: 'immutable',
  context: ({input}) => initialImmutableContext(input),
  initial: 'planning',
  states: {
    planning: {
      invoke: {
        id: 'plan',
        src: 'plan',
        input: stepInput,
        onDone: {
          target: 'provisioning',
          actions: assign(({event}) => ({newStack: event.output.newStack, oldGroup: event.output.oldGroup})),
        },
        // Nothing was created yet: there is nothing to undo, but a human must look.
        onError: {target: 'failed', actions: {type: 'recordFailure', params: {step: 'planning'}}},
      },
    },
    provisioning: {
      invoke: {
        id: 'provision',
        src: 'provision',
        input: stepInput,
        onDone: {
          target: 'awaitingCapacity',
          // Planning recorded the stack (the step's input required it): the group is what provisioning adds.
          actions: assign({newStack: ({context, event}) => context.newStack && {...context.newStack, group: event.output.group}}),
        },
        onError: {target: 'discarding', actions: {type: 'recordFailure', params: {step: 'provisioning'}}},
      },
    },
    awaitingCapacity: {
      invoke: {
        id: 'awaitCapacity',
        src: 'awaitCapacity',
        input: stepInput,
        onDone: 'verifying',
        onError: {target: 'discarding', actions: {type: 'recordFailure', params: {step: 'awaitingCapacity'}}},
      },
    },
    verifying: {
      invoke: {
        id: 'verify',
        src: 'verify',
        input: stepInput,
        onDone: [{guard: 'gateBeforeShift', target: 'pausedBeforeShift'}, {target: 'shifting'}],
        onError: {target: 'discarding', actions: {type: 'recordFailure', params: {step: 'verifying'}}},
      },
    },
    // Gate: the new group is up and verified; traffic has not moved.
    pausedBeforeShift: {
      on: {
        PROMOTE: 'shifting',
        ABORT: {target: 'discarding', actions: {type: 'recordAbort', params: {at: 'pausedBeforeShift'}}},
      },
    },
    shifting: {
      invoke: {
        id: 'shift',
        src: 'shift',
        input: stepInput,
        onDone: {target: 'baking', actions: assign({bakeUntil: ({event}) => event.output.bakeUntil})},
        // The shift may have attached the new group already: traffic goes back to the old one first.
        onError: {target: 'revertingTraffic', actions: {type: 'recordFailure', params: {step: 'shifting'}}},
      },
    },
    baking: {
      invoke: {
        id: 'bake',
        src: 'bake',
        input: stepInput,
        onDone: [{guard: 'gateBeforeRetire', target: 'pausedBeforeRetire'}, {target: 'retiring'}],
        onError: {target: 'revertingTraffic', actions: {type: 'recordFailure', params: {step: 'baking'}}},
      },
    },
    // Gate: the new version has taken traffic through the bake; the old group still runs.
    pausedBeforeRetire: {
      on: {
        PROMOTE: 'retiring',
        ABORT: {target: 'revertingTraffic', actions: {type: 'recordAbort', params: {at: 'pausedBeforeRetire'}}},
      },
    },
    retiring: {
      invoke: {
        id: 'retire',
        src: 'retire',
        input: stepInput,
        onDone: {target: 'succeeded', actions: assign({retired: ({event}) => event.output})},
        // The new version is live and healthy; what could not be retired is left for a human to tidy.
        onError: {
          target: 'succeeded',
          actions: assign({
            retired: ({event}) => ({scaledDown: [], kept: [], deleted: [], warnings: [errorMessage(event.error)]}),
          }),
        },
      },
    },
    revertingTraffic: {
      invoke: {
        id: 'revertTraffic',
        src: 'revertTraffic',
        input: stepInput,
        onDone: 'discarding',
        onError: {target: 'failed', actions: {type: 'recordRollbackFailure', params: {step: 'revertingTraffic'}}},
      },
    },
    discarding: {
      invoke: {
        id: 'discard',
        src: 'discard',
        input: stepInput,
        onDone: 'rolledBack',
        onError: {target: 'failed', actions: {type: 'recordRollbackFailure', params: {step: 'discarding'}}},
      },
    },
    succeeded: {type: 'final'},
    rolledBack: {type: 'final'},
    failed: {type: 'final'},
  },
})

export type ImmutableMachine = typeof immutableMachine
