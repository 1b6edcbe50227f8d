import type {RollOutput} from '../../machines/incremental.js'
import type {RollStepInput} from '../../machines/incremental-inputs.js'
import type {InstanceJournal} from '../../src/ports/instance-journal.js'
import type {IncrementalDeps} from './deps.js'
import {fleetMembers} from './fleet.js'
import {foldJournal, OUT_OF_SERVICE} from './progress.js'
import {launchedDuring, restorePass, versionToRestore} from './restore.js'
import {runWindow} from './window.js'

/**
 * The canary (the first `canary` instances of the plan) or the rest of the fleet, through the sliding
 * window. Failures up to maxErrors are tolerated: at the end of the fleet those instances are put
 * back on their previous version and returned to service, and the release goes on to bake.
 */
export function roll(deps: IncrementalDeps, journal: InstanceJournal) {
  return async (input: RollStepInput): Promise<RollOutput> => {
    const {plan, scope} = input
    const progress = foldJournal(await journal.load())
    const members = await fleetMembers(deps)
    const inScope = scope === 'canary' ? progress.planned.slice(0, plan.canary) : progress.planned.slice(plan.canary)
    const scopeIds = new Set(inScope.map((i) => i.instanceId))
    const alsoOut = [...progress.forward].filter(([id, r]) => !scopeIds.has(id) && OUT_OF_SERVICE.has(r.phase)).length
    const result = await runWindow(deps, {
      releaseId: input.releaseId,
      pass: 'forward',
      state: scope === 'canary' ? 'canary' : 'rolling',
      instances: inScope.map((i) => ({instanceId: i.instanceId, version: input.version})),
      window: scope === 'canary' ? Math.min(plan.window, plan.canary) : plan.window,
      maxErrors: plan.maxErrors,
      failuresBefore: scope === 'canary' ? 0 : input.tally.failed,
      retries: 0,
      group: members.group,
      standby: members.standby,
      targetGroups: members.targetGroups,
      records: progress.forward,
      alsoOut,
      append: (records) => journal.append(records),
    })
    const tally = {changed: input.tally.changed + result.changed.length, failed: input.tally.failed + result.failed.length}
    if (scope === 'rest' && tally.failed > 0) await restoreTolerated(deps, journal, input.releaseId, input.previousVersion)
    // A converge leaves the rest of the fleet alone: its other instances are not 'launched during the release'.
    if (scope === 'rest' && !input.only) await reportLaunched(deps, input.releaseId, 'rolling', new Set(progress.planned.map((p) => p.instanceId)))
    return {tally, bakeUntil: new Date(deps.clock.now() + deps.settings.bakeMs).toISOString()}
  }
}

/** The instances that failed within maxErrors go back to their previous version and into service. */
async function restoreTolerated(deps: IncrementalDeps, journal: InstanceJournal, releaseId: string, lastKnownGood: string | null): Promise<void> {
  const progress = foldJournal(await journal.load())
  const back = new Map(progress.planned.map((p) => [p.instanceId, versionToRestore(p, lastKnownGood)]))
  const failed = [...progress.forward].filter(([, r]) => r.phase === 'failed').map(([id]) => id)
  const undelivered = new Set(failed.filter((id) => progress.forward.get(id)?.undelivered === true))
  const unknown: string[] = []
  const instances: {instanceId: string; version: string; returnOnly?: boolean}[] = []
  for (const id of failed) {
    const version = back.get(id)?.version
    if (undelivered.has(id)) instances.push({instanceId: id, version: version ?? 'unchanged', returnOnly: true})
    else if (version === undefined) unknown.push(id)
    else instances.push({instanceId: id, version})
  }
  if (unknown.length > 0) throw new Error(`no known previous version to put back on ${unknown.map((id) => `${id} (${back.get(id)?.reason})`).join(', ')}`)
  const result = await restorePass(deps, journal, {
    releaseId,
    state: 'rolling',
    instances,
    window: failed.length,
    maxErrors: 0,
  })
  deps.report({releaseId, state: 'rolling', message: `${result.changed.length} failed instances back on their previous version`})
}

/** Says which instances the group launched during the release: they run what its launch template boots. */
async function reportLaunched(deps: IncrementalDeps, releaseId: string, state: string, planned: Set<string>): Promise<void> {
  const launched = await launchedDuring(deps, planned)
  if (launched.length === 0) return
  deps.report({
    releaseId,
    state,
    message: `${launched.length} instances were launched by the group during the release (${launched.join(', ')}): this release did not change them; they run what the launch template boots`,
  })
}
