import type {PlanOutput} from '../../machines/immutable.js'
import type {PlanInput} from '../../machines/immutable-inputs.js'
import type {StackInfo} from '../../src/ports/stacks.js'
import {groupOfStack} from './group.js'
import {immutableHealthSignals} from './health.js'
import {TAG, stackNameFor, type ImmutableDeps} from './deps.js'
import {servingGroups, versionOfGroup} from './serving.js'

const REUSABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE'])

/**
 * Where the new version will run: a stack retained from an earlier release of the same version (scaled
 * back up: the fast rollback), or a new stack named after the release. `release plan` asks the same.
 */
export function chooseStack(
  stacks: StackInfo[],
  release: {version: string; releaseId: string; previousStack: string | null},
): {name: string; reused: boolean} {
  const retained = stacks.find(
    (s) => s.tags[TAG.version] === release.version && REUSABLE.has(s.status) && s.name !== release.previousStack,
  )
  return retained ? {name: retained.name, reused: true} : {name: stackNameFor(release.releaseId), reused: false}
}

/**
 * Finds the group now taking traffic and decides where the new version will run. What serves is read
 * from the account: a group serving that is neither the ledger's live one nor adopted stops the release
 * here, before anything changes, rather than end with two versions behind the load balancer.
 */
export function plan(deps: ImmutableDeps) {
  return async (input: PlanInput): Promise<PlanOutput> => {
    const {stacks, report} = deps
    const health = immutableHealthSignals(deps.settings)
    report({releaseId: input.releaseId, step: 'planning', message: `health signals: ${health.signals.join('; ')}`})
    if (health.warning) report({releaseId: input.releaseId, step: 'planning', message: `warning: ${health.warning}`})
    let oldGroup: string | null = null
    if (input.previous) {
      const live = await stacks.describeStack(input.previous.stackName)
      if (live) {
        oldGroup = await groupOfStack(stacks, live.name)
      } else {
        report({
          releaseId: input.releaseId,
          step: 'planning',
          message: `warning: the live stack ${input.previous.stackName} (version ${input.previous.version}) no longer exists; the new version takes traffic with no old group to fall back on`,
        })
      }
    }
    if (!oldGroup && input.adopt) {
      oldGroup = input.adopt.group
      report({releaseId: input.releaseId, step: 'planning', message: `adopting ${oldGroup} (version ${input.adopt.version}): it is detached after the shift`})
    }
    const strangers = (await servingGroups(deps)).filter((g) => g.name !== oldGroup)
    if (strangers.length > 0) {
      throw new Error(
        `${strangers.map((g) => `${g.name} (version ${versionOfGroup(g)})`).join(', ')} serve${strangers.length === 1 ? 's' : ''} the traffic sources but ${strangers.length === 1 ? 'is' : 'are'} not the live group of ${input.target}; nothing was changed`,
      )
    }

    const all = await stacks.listStacksByTag(TAG.target, input.target)
    const chosen = chooseStack(all, {version: input.version, releaseId: input.releaseId, previousStack: input.previous?.stackName ?? null})
    if (chosen.reused) {
      report({releaseId: input.releaseId, step: 'planning', message: `re-using retained stack ${chosen.name} of version ${input.version}`})
      return {newStack: {...chosen, group: null}, oldGroup}
    }
    const name = chosen.name
    const clash = await stacks.describeStack(name)
    if (clash && clash.tags[TAG.nonce] !== input.nonce) {
      throw new Error(
        `a stack named ${name} already exists (version ${clash.tags[TAG.version] ?? 'unknown'}, ${clash.status}) but was not created by this release: the ledger in the state directory does not match the account. Nothing was changed; rebuild the ledger from the account (release ledger rebuild ${input.target}), restore the state directory that belongs to this account, or delete the stack if it is abandoned`,
      )
    }
    report({releaseId: input.releaseId, step: 'planning', message: `new stack ${name} for version ${input.version}`})
    return {newStack: {name, reused: false, group: null}, oldGroup}
  }
}
