/**
 * What each step of the incremental machine is given: the few fields it reads, typed as they must be
 * by the time the step runs (the plan is known once planning is done, the bake deadline once the
 * last instance changed). As for the immutable machine (immutable-inputs.ts), the actors are handed
 * the whole context, the shape persisted snapshots hold, and the strategy narrows it here once.
 */
import {missingFromContext} from './common.js'
import type {FleetPlan, IncrementalContext, RollInput, StepInput, Tally} from './incremental.js'

/** What every step knows about its release. */
export interface IncrementalRef {
  releaseId: string
  version: string
  /** The live version when the release started: what an instance goes back to when its own is unknown. */
  previousVersion: string | null
  /** A converge's drifted instances, the only ones it changes; null for a rollout or rollback. */
  only: string[] | null
}

export type PlanInput = IncrementalRef

export interface RollStepInput extends IncrementalRef {
  scope: RollInput['scope']
  plan: FleetPlan
  /** What the passes before this one changed and failed. */
  tally: Tally
}

export interface BakeInput {
  releaseId: string
  /** ISO deadline fixed when the last instance changed. */
  bakeUntil: string
}

/** The way back may start before planning finished: without a plan, one instance at a time. */
export interface RestoreInput extends IncrementalRef {
  plan: FleetPlan | null
}

function releaseRef(context: IncrementalContext): IncrementalRef {
  return {releaseId: context.releaseId, version: context.version, previousVersion: context.previousVersion, only: context.only ?? null}
}

/** One narrowing per step, from the machine's context to what the step reads. */
export const incrementalStepInputs = {
  plan: ({context}: StepInput): PlanInput => releaseRef(context),
  roll: ({context, scope}: RollInput): RollStepInput => {
    if (!context.plan) throw missingFromContext(scope === 'canary' ? 'canary' : 'rolling', 'fleet plan (recorded by planning)')
    return {...releaseRef(context), scope, plan: context.plan, tally: context.tally}
  },
  bake: ({context}: StepInput): BakeInput => {
    if (!context.bakeUntil) throw missingFromContext('baking', 'bake deadline (recorded when the last instance changed)')
    return {releaseId: context.releaseId, bakeUntil: context.bakeUntil}
  },
  restore: ({context}: StepInput): RestoreInput => ({...releaseRef(context), plan: context.plan}),
}
