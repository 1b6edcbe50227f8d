import type {RetireResult, StepInput} from '../../machines/immutable.js'
import type {StackInfo} from '../../src/ports/stacks.js'
import {groupOfStack} from './group.js'
import {TAG, tokenFor, type ImmutableDeps} from './deps.js'

/**
 * Scales the old group to zero (its maximum kept, so a rollback knows its size) and keeps the newest
 * `retain` previous stacks for an instant rollback; older ones are deleted. What cannot be tidied is
 * reported as a warning: the new version is live either way.
 */
export function retire(deps: ImmutableDeps) {
  return async ({input: {context}}: {input: StepInput}): Promise<RetireResult> => {
    const {stacks, fleet, clock, report, settings} = deps
    const result: RetireResult = {scaledDown: [], kept: [], deleted: [], warnings: []}
    if (context.oldGroup) {
      const old = await fleet.describeGroup(context.oldGroup)
      if (old) {
        await fleet.setCapacity(context.oldGroup, {min: 0, max: Math.max(old.max, old.desired), desired: 0})
        result.scaledDown.push(context.oldGroup)
        report({releaseId: context.releaseId, step: 'retiring', message: `scaled ${context.oldGroup} to zero`})
      }
    }

    const previous = (await stacks.listStacksByTag(TAG.target, context.target)).filter(
      (s) => s.name !== context.newStack!.name,
    )
    const {keep, remove} = partitionForRetention(previous, settings.retain, context.previous?.stackName)
    result.kept = keep.map((s) => s.name)
    for (const stack of keep) await scaleToZero(deps, stack.name, result)
    for (const stack of remove) {
      const token = tokenFor(context, `retire-${stack.name}`)
      report({releaseId: context.releaseId, step: 'retiring', message: `deleting ${stack.name} (version ${stack.tags[TAG.version] ?? '?'})`})
      await stacks.deleteStack(stack.name, token)
      const outcome = await stacks.waitForDelete(stack.name, token, {deadline: clock.now() + settings.timeouts.retireMs})
      if (outcome.ok) result.deleted.push(stack.name)
      else result.warnings.push(`stack ${stack.name} could not be deleted (${outcome.status}: ${outcome.reason ?? 'no reason given'}); delete it by hand`)
    }
    return result
  }
}

/**
 * The stack that was live until now first (it is the last known good: what `release rollback` returns
 * to), then newest first: usable stacks up to `retain` are kept; failed ones and the rest are deleted.
 */
export function partitionForRetention(
  stacks: StackInfo[],
  retain: number,
  lastLive?: string,
): {keep: StackInfo[]; remove: StackInfo[]} {
  const sorted = [...stacks].sort((a, b) => Number(b.name === lastLive) - Number(a.name === lastLive) || b.createdAt - a.createdAt)
  const keep: StackInfo[] = []
  const remove: StackInfo[] = []
  for (const stack of sorted) {
    const usable = stack.status === 'CREATE_COMPLETE' || stack.status === 'UPDATE_COMPLETE'
    if (usable && keep.length < retain) keep.push(stack)
    else remove.push(stack)
  }
  return {keep, remove}
}

async function scaleToZero(deps: ImmutableDeps, stackName: string, result: RetireResult): Promise<void> {
  const group = await groupOfStack(deps.stacks, stackName)
  if (result.scaledDown.includes(group)) return
  const info = await deps.fleet.describeGroup(group)
  if (info && info.desired > 0) {
    await deps.fleet.setCapacity(group, {min: 0, max: Math.max(info.max, info.desired), desired: 0})
    result.scaledDown.push(group)
  }
}
