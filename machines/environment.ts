/**
 * The life of an on-demand environment (`release env create` / `env destroy`) as two persisted,
 * resumable machines, like releases: a process that dies in the middle is continued by
 * `release env resume NAME`, which runs the step in flight again. Every step looks before it acts
 * (stacks are created with a deterministic token, deleted idempotently), so running one twice is safe.
 */
import {assign, fromPromise, setup} from 'xstate'
import {errorMessage, notProvided} from './common.js'

/** One target of a copy and the version it is made at (the version live in the source). */
export interface EnvironmentTarget {
  name: string
  version: string
  strategy: 'immutable' | 'incremental'
}

export interface CreateContext {
  environment: string
  targets: EnvironmentTarget[]
  /** Index of the target being provisioned; targets before it are done. */
  next: number
  failure?: {target: string; message: string}
}

export interface CreateInput {
  environment: string
  targets: EnvironmentTarget[]
}

export interface StackOfEnvironment {
  name: string
  target: string
}

/** A resource a DeletionPolicy keeps (Retain) or snapshots (Snapshot) when its stack is deleted. */
export interface LeftBehind {
  stack: string
  logicalId: string
  type: string
  physicalId: string
  policy: string
}

export interface DestroyContext {
  environment: string
  /** The stacks found to delete, fixed once found so that a resume deletes the same ones. */
  stacks?: StackOfEnvironment[]
  leftBehind?: LeftBehind[]
  failure?: {step: string; message: string}
}

export const environmentCreateMachine = setup({
  types: {context: {} as CreateContext, input: {} as CreateInput},
  actors: {
    // `target` is undefined only in a snapshot whose list and position disagree: the step refuses it.
    provisionTarget: fromPromise<void, {environment: string; target: EnvironmentTarget | undefined}>(notProvided('provisionTarget')),
  },
  guards: {
    moreTargets: ({context}) => context.next + 1 < context.targets.length,
  },
}).createMachine({
  id: 'environment-create',
  initial: 'provisioning',
  context: ({input}) => ({environment: input.environment, targets: input.targets, next: 0}),
  states: {
    provisioning: {
      invoke: {
        src: 'provisionTarget',
        input: ({context}) => ({environment: context.environment, target: context.targets[context.next]}),
        onDone: [
          // Re-entered for the next target: the snapshot after each one says how far it got.
          {guard: 'moreTargets', target: 'provisioning', reenter: true, actions: assign({next: ({context}) => context.next + 1})},
          {target: 'ready', actions: assign({next: ({context}) => context.next + 1})},
        ],
        onError: {
          target: 'failed',
          actions: assign({failure: ({context, event}) => ({target: context.targets[context.next]?.name ?? '?', message: errorMessage(event.error)})}),
        },
      },
    },
    ready: {type: 'final'},
    // What was made stays owned by the environment (its record and stack names): `env destroy` removes it.
    failed: {type: 'final'},
  },
})

export const environmentDestroyMachine = setup({
  types: {context: {} as DestroyContext, input: {} as {environment: string}},
  actors: {
    findStacks: fromPromise<{stacks: StackOfEnvironment[]; leftBehind: LeftBehind[]}, {environment: string}>(notProvided('findStacks')),
    deleteStacks: fromPromise<void, {environment: string; stacks: StackOfEnvironment[]}>(notProvided('deleteStacks')),
    forgetState: fromPromise<void, {environment: string}>(notProvided('forgetState')),
  },
}).createMachine({
  id: 'environment-destroy',
  initial: 'findingStacks',
  context: ({input}) => ({environment: input.environment}),
  states: {
    findingStacks: {
      invoke: {
        src: 'findStacks',
        input: ({context}) => ({environment: context.environment}),
        onDone: {target: 'deletingStacks', actions: assign({stacks: ({event}) => event.output.stacks, leftBehind: ({event}) => event.output.leftBehind})},
        onError: {target: 'failed', actions: assign({failure: ({event}) => ({step: 'findingStacks', message: errorMessage(event.error)})})},
      },
    },
    deletingStacks: {
      invoke: {
        src: 'deleteStacks',
        input: ({context}) => ({environment: context.environment, stacks: context.stacks ?? []}),
        onDone: {target: 'forgettingState'},
        onError: {target: 'failed', actions: assign({failure: ({event}) => ({step: 'deletingStacks', message: errorMessage(event.error)})})},
      },
    },
    forgettingState: {
      invoke: {
        src: 'forgetState',
        input: ({context}) => ({environment: context.environment}),
        onDone: {target: 'destroyed'},
        onError: {target: 'failed', actions: assign({failure: ({event}) => ({step: 'forgettingState', message: errorMessage(event.error)})})},
      },
    },
    destroyed: {type: 'final'},
    // Nothing is forgotten before every stack is gone: `env destroy` again (or `env resume`) retries.
    failed: {type: 'final'},
  },
})

/** Stored beside each snapshot; bump when a change would resume an old snapshot in the wrong place. */
export const ENVIRONMENT_MACHINE_VERSION = '1'
