import type {ProvisionInput} from '../../machines/immutable-inputs.js'
import {describeGroupOrThrow, groupOfStack} from './group.js'
import {TAG, tokenFor, type ImmutableDeps} from './deps.js'

/**
 * Creates the release's stack from the target's template with the version parameter set, or scales a
 * retained stack back up to the capacity now serving. Idempotent: a re-run after a crash re-attaches
 * to the stack being created (same ClientRequestToken) instead of creating a second one.
 */
export function provision(deps: ImmutableDeps) {
  return async (input: ProvisionInput): Promise<{group: string}> => {
    const {stacks, fleet, clock, report, settings} = deps
    const stack = input.newStack
    if (stack.reused) {
      const group = await groupOfStack(stacks, stack.name)
      const capacity = await capacityToMatch(deps, input.oldGroup, group)
      await fleet.setCapacity(group, capacity)
      report({
        releaseId: input.releaseId,
        step: 'provisioning',
        message: `scaled retained group ${group} to ${capacity.desired}`,
      })
      return {group}
    }

    const token = tokenFor(input, 'provision')
    await stacks.createStack({
      stackName: stack.name,
      templateBody: settings.templateBody,
      parameters: {...settings.parameters, [settings.versionParameter]: input.version},
      tags: {[TAG.target]: input.target, [TAG.version]: input.version, [TAG.releaseId]: input.releaseId, [TAG.nonce]: input.nonce},
      token,
    })
    report({releaseId: input.releaseId, step: 'provisioning', message: `creating stack ${stack.name}`})
    const result = await stacks.waitForCreate(stack.name, token, {
      deadline: clock.now() + settings.timeouts.provisionMs,
      onProgress: (p) =>
        report({
          releaseId: input.releaseId,
          step: 'provisioning',
          message: `${p.stackName} ${p.status} (${p.resourcesComplete}/${p.resourcesTotal} resources)`,
        }),
    })
    if (!result.ok) {
      throw new Error(`stack ${stack.name} ended ${result.status}${result.reason ? `: ${result.reason}` : ''}`)
    }
    return {group: await groupOfStack(stacks, stack.name)}
  }
}

/**
 * A retained group was scaled to zero with its maximum kept. It comes back at the capacity of the
 * group serving now, so the rollback does not shrink the fleet; with no such group, at its maximum.
 */
async function capacityToMatch(deps: ImmutableDeps, oldGroup: string | null, retainedGroup: string) {
  const serving = oldGroup ? await deps.fleet.describeGroup(oldGroup) : undefined
  if (serving && serving.desired > 0) {
    return {min: serving.min, max: Math.max(serving.max, serving.desired), desired: serving.desired}
  }
  const retained = await describeGroupOrThrow(deps.fleet, retainedGroup)
  const desired = Math.max(1, retained.max)
  return {min: Math.min(1, desired), max: desired, desired}
}
