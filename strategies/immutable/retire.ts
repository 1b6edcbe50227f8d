import type {RetireResult} from '../../machines/immutable.js'
import type {RetireInput} from '../../machines/immutable-inputs.js'
import type {FleetPort} from '../../src/ports/fleet.js'
import type {StackInfo} from '../../src/ports/stacks.js'
import {groupOfStack} from './group.js'
import {TAG, tokenFor, type ImmutableDeps} from './deps.js'

/**
 * Scales the old group to zero (its maximum kept, so a rollback knows its size), or keeps it warm for
 * `keepWarm`, and keeps `retain` previous stacks for a rollback without a new stack; older ones are
 * deleted. A group still attached to the traffic sources is never scaled down. What cannot be tidied
 * is reported as a warning: the new version is live either way.
 */
export function retire(deps: ImmutableDeps) {
  return async (input: RetireInput): Promise<RetireResult> => {
    const {stacks, fleet, clock, report, settings} = deps
    const result: RetireResult = {scaledDown: [], kept: [], deleted: [], warnings: [], warm: null}
    const keepWarmMs = settings.keepWarmMs ?? 0
    if (input.oldGroup && keepWarmMs > 0 && (await fleet.describeGroup(input.oldGroup))) {
      result.warm = {group: input.oldGroup, until: new Date(clock.now() + keepWarmMs).toISOString()}
      report({releaseId: input.releaseId, state: 'retiring', message: `${input.oldGroup} stays warm until ${result.warm.until}: a rollback until then is one traffic switch`})
    } else if (input.oldGroup) {
      await scaleGroupToZero(deps, input.oldGroup, result)
      if (result.scaledDown.includes(input.oldGroup)) report({releaseId: input.releaseId, state: 'retiring', message: `scaled ${input.oldGroup} to zero`})
    }

    const previous = (await stacks.listStacksByTag(TAG.target, input.target)).filter(
      (s) => s.name !== input.newStackName,
    )
    const {keep, remove} = retention(previous, settings.retain, input)
    result.kept = keep.map((s) => s.name)
    for (const stack of keep) {
      const group = await groupOfStack(deps.stacks, stack.name)
      // The old group was dealt with above (kept warm, scaled down, or left serving with a warning).
      if (group !== input.oldGroup) await scaleGroupToZero(deps, group, result)
    }
    for (const stack of remove) {
      const token = tokenFor(input, `retire-${stack.name}`)
      report({releaseId: input.releaseId, state: 'retiring', message: `deleting ${stack.name} (version ${stack.tags[TAG.version] ?? '?'})`})
      await stacks.deleteStack(stack.name, token)
      const outcome = await stacks.waitForDelete(stack.name, token, {deadline: clock.now() + settings.timeouts.retireMs})
      if (outcome.ok) result.deleted.push(stack.name)
      else result.warnings.push(`stack ${stack.name} could not be deleted (${outcome.status}: ${outcome.reason ?? 'no reason given'}); delete it by hand`)
    }
    return result
  }
}

/**
 * The retention decision of a release, for retire and for `release plan` alike (one rule, so that a
 * plan and the rollout that follows cannot disagree). `stacks` are the target's other stacks.
 */
export function retention(
  stacks: StackInfo[],
  retain: number,
  release: {keepFirst?: string | null; previous: {stackName: string} | null},
): {keep: StackInfo[]; remove: StackInfo[]} {
  return partitionForRetention(stacks, retain, release.keepFirst ?? release.previous?.stackName)
}

/**
 * The stack of the last known good version first (what `release rollback` returns to), then newest
 * first: usable stacks up to `retain` are kept; failed ones and the rest
 * are deleted.
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

/** Scales a group to zero, its maximum kept; never while it is still attached to a traffic source. */
async function scaleGroupToZero(deps: ImmutableDeps, group: string, result: RetireResult): Promise<void> {
  if (result.scaledDown.includes(group)) return
  const outcome = await scaleToZeroUnlessServing(deps.fleet, group)
  if (outcome.attachedTo.length > 0) {
    result.warnings.push(`${group} is still attached to ${outcome.attachedTo.join(', ')}; it was not scaled down`)
    return
  }
  if (outcome.scaled) result.scaledDown.push(group)
}

/**
 * Scales a group to zero, its maximum kept (so a rollback knows its size), unless it is still attached
 * to a traffic source: a group that may serve is never scaled down. Also used when a keepWarm period
 * ends (src/app/warm.ts).
 */
export async function scaleToZeroUnlessServing(
  fleet: FleetPort,
  group: string,
): Promise<{scaled: boolean; gone: boolean; attachedTo: string[]}> {
  const info = await fleet.describeGroup(group)
  if (!info) return {scaled: false, gone: true, attachedTo: []}
  if (info.desired === 0) return {scaled: false, gone: false, attachedTo: []}
  const attached = (await fleet.describeTrafficSources(group)).filter((s) => s.state !== 'Removed' && s.state !== 'Removing')
  if (attached.length > 0) return {scaled: false, gone: false, attachedTo: attached.map((s) => s.identifier)}
  await fleet.setCapacity(group, {min: 0, max: Math.max(info.max, info.desired), desired: 0})
  return {scaled: true, gone: false, attachedTo: []}
}
