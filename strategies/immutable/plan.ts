import type {PlanOutput, StepInput} from '../../machines/immutable.js'
import {groupOfStack} from './group.js'
import {immutableHealthSignals} from './health.js'
import {TAG, stackNameFor, type ImmutableDeps} from './deps.js'

const REUSABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE'])

/**
 * Finds the group now taking traffic and decides where the new version will run: a stack retained
 * from an earlier release of the same version (scaled back up: the fast rollback), or a new stack.
 */
export function plan(deps: ImmutableDeps) {
  return async ({input: {context}}: {input: StepInput}): Promise<PlanOutput> => {
    const {stacks, report} = deps
    const health = immutableHealthSignals(deps.settings)
    report({releaseId: context.releaseId, step: 'planning', message: `health signals: ${health.signals.join('; ')}`})
    if (health.warning) report({releaseId: context.releaseId, step: 'planning', message: `warning: ${health.warning}`})
    let oldGroup: string | null = null
    if (context.previous) {
      const live = await stacks.describeStack(context.previous.stackName)
      if (live) {
        oldGroup = await groupOfStack(stacks, live.name)
      } else {
        report({
          releaseId: context.releaseId,
          step: 'planning',
          message: `warning: the live stack ${context.previous.stackName} (version ${context.previous.version}) no longer exists; the new version takes traffic with no old group to fall back on`,
        })
      }
    }

    const retained = (await stacks.listStacksByTag(TAG.target, context.target)).find(
      (s) =>
        s.tags[TAG.version] === context.version &&
        REUSABLE.has(s.status) &&
        s.name !== context.previous?.stackName,
    )
    if (retained) {
      report({
        releaseId: context.releaseId,
        step: 'planning',
        message: `re-using retained stack ${retained.name} of version ${context.version}`,
      })
      return {newStack: {name: retained.name, reused: true, group: null}, oldGroup}
    }
    const name = stackNameFor(context.releaseId)
    const clash = await stacks.describeStack(name)
    if (clash && clash.tags[TAG.nonce] !== context.nonce) {
      throw new Error(
        `a stack named ${name} already exists (version ${clash.tags[TAG.version] ?? 'unknown'}, ${clash.status}) but was not created by this release: the ledger in the state directory does not match the account. Nothing was changed; restore the state directory that belongs to this account, or delete the stack if it is abandoned`,
      )
    }
    report({releaseId: context.releaseId, step: 'planning', message: `new stack ${name} for version ${context.version}`})
    return {newStack: {name, reused: false, group: null}, oldGroup}
  }
}
