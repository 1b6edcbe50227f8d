/**
 * What each step of the immutable machine is given: the few fields it reads, typed as they must be
 * by the time the step runs (the new group is known once provisioning is done, the bake deadline
 * once traffic moved). The machine hands its actors the whole context (persisted snapshots of
 * in-flight steps hold that shape, so it stays); the strategy narrows it here, once per step, and a
 * context that lacks what an earlier step records fails that step with a message naming it.
 */
import type {AdoptedGroup, ImmutableContext, NewStack, PreviousRelease, StepInput} from './immutable.js'
import {missingFromContext} from './common.js'

/** What every step knows about its release: which one, of which target and version. */
export interface ReleaseRef {
  releaseId: string
  target: string
  version: string
  /** Makes the release's CloudFormation tokens and stack tag its own (see ImmutableInput.nonce). */
  nonce: string
}

export interface PlanInput extends ReleaseRef {
  previous: PreviousRelease | null
  adopt: AdoptedGroup | null
}

export interface ProvisionInput extends ReleaseRef {
  newStack: NewStack
  oldGroup: string | null
}

/** A step that watches or uses the new stack's group (awaitingCapacity, verifying). */
export interface NewGroupInput extends ReleaseRef {
  newGroup: string
}

export interface ShiftInput extends NewGroupInput {
  oldGroup: string | null
  emergency: boolean
}

export interface BakeInput extends NewGroupInput {
  oldGroup: string | null
  /** ISO deadline fixed when traffic moved. */
  bakeUntil: string
}

export interface RetireInput extends ReleaseRef {
  newStackName: string
  oldGroup: string | null
  previous: PreviousRelease | null
  keepFirst: string | null
}

/** The way back may run before anything was provisioned: what is not there yet is null. */
export interface RevertInput extends ReleaseRef {
  oldGroup: string | null
  newGroup: string | null
}

export interface DiscardInput extends ReleaseRef {
  newStack: NewStack | null
}

function releaseRef(context: ImmutableContext): ReleaseRef {
  return {releaseId: context.releaseId, target: context.target, version: context.version, nonce: context.nonce}
}

function newGroupOf(context: ImmutableContext, state: string): string {
  const group = context.newStack?.group
  if (!group) throw missingFromContext(state, "new stack's Auto Scaling group (recorded by provisioning)")
  return group
}

/** One narrowing per step, from the machine's context to what the step reads. */
export const immutableStepInputs = {
  plan: ({context}: StepInput): PlanInput => ({...releaseRef(context), previous: context.previous, adopt: context.adopt ?? null}),
  provision: ({context}: StepInput): ProvisionInput => {
    if (!context.newStack) throw missingFromContext('provisioning', 'new stack (recorded by planning)')
    return {...releaseRef(context), newStack: context.newStack, oldGroup: context.oldGroup}
  },
  awaitCapacity: ({context}: StepInput): NewGroupInput => ({...releaseRef(context), newGroup: newGroupOf(context, 'awaitingCapacity')}),
  verify: ({context}: StepInput): NewGroupInput => ({...releaseRef(context), newGroup: newGroupOf(context, 'verifying')}),
  shift: ({context}: StepInput): ShiftInput => ({
    ...releaseRef(context),
    newGroup: newGroupOf(context, 'shifting'),
    oldGroup: context.oldGroup,
    emergency: context.emergency === true,
  }),
  bake: ({context}: StepInput): BakeInput => {
    if (!context.bakeUntil) throw missingFromContext('baking', 'bake deadline (recorded by shifting)')
    return {...releaseRef(context), newGroup: newGroupOf(context, 'baking'), oldGroup: context.oldGroup, bakeUntil: context.bakeUntil}
  },
  retire: ({context}: StepInput): RetireInput => {
    if (!context.newStack) throw missingFromContext('retiring', 'new stack (recorded by planning)')
    return {
      ...releaseRef(context),
      newStackName: context.newStack.name,
      oldGroup: context.oldGroup,
      previous: context.previous,
      keepFirst: context.keepFirst ?? null,
    }
  },
  revertTraffic: ({context}: StepInput): RevertInput => ({...releaseRef(context), oldGroup: context.oldGroup, newGroup: context.newStack?.group ?? null}),
  discard: ({context}: StepInput): DiscardInput => ({...releaseRef(context), newStack: context.newStack}),
}
