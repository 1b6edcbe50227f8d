/**
 * The sentence a release ends with: what is live now, what happened, and, when a human is needed,
 * exactly what is left where and what to do next.
 */
import type {Abort, StepFailure} from '../../machines/common.js'
import type {ImmutableContext} from '../../machines/immutable.js'
import type {ReleaseRecord} from '../engine/ledger.js'
import type {Outcome} from '../ports/release.js'

export interface SummaryInput {
  record: ReleaseRecord
  target: string
  outcome: Outcome
  context: ImmutableContext
}

export function summarize({record, target, outcome, context}: SummaryInput): string {
  const previous = record.previousVersion
  const stack = context.newStack?.name
  switch (outcome) {
    case 'succeeded': {
      const lines = [`${record.version} is live on ${target} (${record.id}, stack ${stack}).`]
      // The shift checked the account: it fails rather than end with a second group serving.
      if (context.newStack?.group) lines.push(`Only ${context.newStack.group} serves the traffic sources (checked after the shift).`)
      if (context.adopt) lines.push(`Adopted ${context.adopt.group} (version ${context.adopt.version}), which served before: detached${context.retired?.scaledDown.includes(context.adopt.group) ? ' and scaled to zero' : ''}.`)
      if (context.emergency) lines.push('Emergency rollback: bake and gates were skipped.')
      const retired = context.retired
      if (retired?.warm) lines.push(`${retired.warm.group} stays warm until ${retired.warm.until}: a rollback until then is one traffic switch.`)
      if (retired?.kept.length) lines.push(`Kept scaled to zero for a rollback without a new stack: ${retired.kept.join(', ')}.`)
      if (retired?.deleted.length) lines.push(`Deleted: ${retired.deleted.join(', ')}.`)
      for (const warning of retired?.warnings ?? []) lines.push(`Warning: ${warning}`)
      return lines.join(' ')
    }
    case 'aborted': {
      const live = previous ? `${previous} is live again` : `No version takes traffic (this was the first release of ${target})`
      return `${record.version} was aborted at ${context.abort?.at}${context.abort?.by ? ` by ${context.abort.by}` : ''}: ${context.abort?.reason}. ${live}; ${context.newStack?.reused ? `retained stack ${stack} went back to zero` : `stack ${stack} was deleted`}.`
    }
    case 'rolledBack': {
      const failure = context.failure
      const live = previous ? `${previous} is live again` : `No version takes traffic (this was the first release of ${target})`
      const cleaned = context.newStack?.reused
        ? `retained stack ${stack} went back to zero`
        : stack
          ? `stack ${stack} was deleted`
          : 'nothing was created'
      const trafficMoved = failure?.step === 'shifting' || failure?.step === 'baking' || context.abort?.at === 'pausedBeforeRetire'
      const only = trafficMoved ? ` Only ${context.oldGroup ?? 'no group'} serves the traffic sources (checked after the rollback).` : ''
      return `${record.version} was rolled back: ${failure?.step ?? 'a step'} failed: ${failure?.message ?? 'unknown'}. ${live}; ${cleaned}.${only}`
    }
    default: {
      if (!context.rollbackFailure) {
        return `${record.id} failed at ${context.failure?.step ?? 'planning'}: ${context.failure?.message ?? 'unknown'}. Nothing was created and traffic did not move. Fix the cause, then run: release rollout ${target} --version ${record.version}`
      }
      return failedRollback(record, target, context, context.rollbackFailure)
    }
  }
}

/** `back`: how the rollback failed (the context's rollbackFailure). */
function failedRollback(record: ReleaseRecord, target: string, context: ImmutableContext, back: StepFailure): string {
  const failure = context.failure
  const newGroup = context.newStack?.group ?? 'none'
  const trafficMoved = failure?.step === 'shifting' || failure?.step === 'baking' || context.abort?.at === 'pausedBeforeRetire'
  const stack = context.newStack?.name ?? 'none'
  const left =
    back.step === 'revertingTraffic'
      ? `Traffic may still be on the new group ${newGroup} (version ${record.version}); the old group ${context.oldGroup ?? 'none'} (version ${record.previousVersion ?? 'none'}) is still running but may not be attached to the traffic sources.`
      : `Traffic ${trafficMoved ? 'is back' : 'stayed'} on ${context.oldGroup ?? 'no group'} (version ${record.previousVersion ?? 'none'}), but stack ${stack} (version ${record.version}) is still there.`
  const next =
    back.step === 'revertingTraffic'
      ? `attach ${context.oldGroup ?? 'the old group'} to the traffic sources and detach ${newGroup}, then delete stack ${stack}`
      : `delete stack ${stack} once the cause is fixed (aws cloudformation delete-stack --stack-name ${stack})`
  return `${record.id} ${whatSentItBack(context)}. Rolling back then failed at ${back.step}: ${back.message}. ${left} Next: ${next}; then check release status ${target}.`
}

/**
 * What sent a release back: the step that failed, or the person who aborted it at a gate (then no
 * step failed: a failed way back must still say what started it).
 */
export function whatSentItBack(context: {failure?: StepFailure | null; abort?: Abort | null}): string {
  if (context.failure) return `failed at ${context.failure.step}: ${context.failure.message}`
  if (context.abort) return `was aborted at ${context.abort.at}: ${context.abort.reason}`
  return 'failed'
}
