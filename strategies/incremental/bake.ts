import type {StepInput} from '../../machines/incremental.js'
import type {IncrementalDeps} from './deps.js'

/**
 * Watches the fleet until the bake deadline kept in context: an instance that turns unhealthy sends
 * the release back. A fleet found by tags has no group health to watch; its verify already ran.
 */
export function bake(deps: IncrementalDeps) {
  return async ({input: {context}}: {input: StepInput}): Promise<void> => {
    const {clock, fleet, settings, report} = deps
    const deadline = Date.parse(context.bakeUntil!)
    const group = 'group' in settings.fleet ? settings.fleet.group : null
    report({
      releaseId: context.releaseId,
      step: 'baking',
      message: `watching the fleet for ${Math.max(0, Math.round((deadline - clock.now()) / 1000))}s more (until ${context.bakeUntil})`,
    })
    for (;;) {
      if (group) {
        const info = await fleet.describeGroup(group)
        const unhealthy = (info?.instances ?? []).filter((i) => i.lifecycle === 'InService' && i.health !== 'Healthy')
        if (unhealthy.length > 0) {
          throw new Error(`${unhealthy.length} instances became unhealthy during the bake (${unhealthy.map((i) => i.id).join(', ')})`)
        }
      }
      const remaining = deadline - clock.now()
      if (remaining <= 0) return
      await clock.sleep(Math.min(remaining, settings.pollIntervalMs))
    }
  }
}
