import type {DiscardInput} from '../../machines/immutable-inputs.js'
import {TAG, tokenFor, type ImmutableDeps} from './deps.js'

/**
 * Removes what this release provisioned: its new stack is deleted (a failed creation leaves a
 * ROLLBACK_COMPLETE stack that must be deleted too); a re-used retained stack goes back to zero.
 */
export function discard(deps: ImmutableDeps) {
  return async (input: DiscardInput): Promise<void> => {
    const {stacks, fleet, clock, report, settings} = deps
    const stack = input.newStack
    if (!stack) return
    if (stack.reused) {
      if (stack.group) {
        const group = await fleet.describeGroup(stack.group)
        if (group) await fleet.setCapacity(stack.group, {min: 0, max: Math.max(group.max, group.desired), desired: 0})
        report({releaseId: input.releaseId, step: 'discarding', message: `scaled retained group ${stack.group} back to zero`})
      }
      return
    }
    const existing = await stacks.describeStack(stack.name)
    if (!existing) return
    if (existing.tags[TAG.nonce] !== input.nonce) {
      // Not created by this release (its creation was refused): it is someone else's to keep.
      report({releaseId: input.releaseId, step: 'discarding', message: `stack ${stack.name} is not this release's; left as it is`})
      return
    }
    const token = tokenFor(input, 'discard')
    report({releaseId: input.releaseId, step: 'discarding', message: `deleting stack ${stack.name}`})
    await stacks.deleteStack(stack.name, token)
    const outcome = await stacks.waitForDelete(stack.name, token, {deadline: clock.now() + settings.timeouts.retireMs})
    if (!outcome.ok) {
      throw new Error(`stack ${stack.name} could not be deleted (${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''})`)
    }
  }
}
