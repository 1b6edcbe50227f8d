/**
 * A target's rollback triggers (`alarms`) and notice destinations (`notify`) in one named environment.
 * The rule, as a release manager reads release.yml:
 * - Alarms add up: the target's own, then the environment's (every target there), then the
 *   environment's for this target. An environment never drops a health signal the target has.
 * - Notify: the environment's own list, when it has one, replaces the top-level list there, so that
 *   prod goes to its own channel and `notify: []` keeps dev quiet; the target's own destinations and
 *   the environment's for this target are added, as the target's team wants every release it makes.
 * Each alarm and each destination comes once, in that order.
 */
import type {EnvironmentConfig, NotifyDestination, ReleaseConfig, TargetConfig} from './types.js'

export function signalsIn(config: ReleaseConfig, env: EnvironmentConfig, target: TargetConfig): {alarms: string[]; notify: NotifyDestination[]} {
  const over = env.targets[target.name] ?? {}
  const alarms = [...new Set([...target.alarms, ...(env.alarms ?? []), ...(over.alarms ?? [])])]
  // resolve.ts puts the top-level destinations first in each target's list; the target's own follow.
  const top = config.notify ?? []
  const own = target.notify.slice(top.length)
  const told = [...(env.notify ?? top), ...own, ...(over.notify ?? [])]
  const seen = new Set<string>()
  const notify = told.filter((d) => {
    const key = JSON.stringify(d)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  return {alarms, notify}
}
