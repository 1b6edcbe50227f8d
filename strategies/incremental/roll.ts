import type {RestoreResult, RollOutput} from '../../machines/incremental.js'
import type {RestoreInput, RollStepInput} from '../../machines/incremental-inputs.js'
import type {InstanceJournal} from '../../src/ports/instance-journal.js'
import {desiredVersionParameter} from '../../src/ports/parameters.js'
import {isVersion, versionProblem} from '../../src/util/version.js'
import {awaitAgents, neverRegistered} from '../agents.js'
import type {IncrementalDeps} from './deps.js'
import {fleetMembers} from './fleet.js'
import {foldJournal, OUT_OF_SERVICE} from './progress.js'
import {settleForward} from './settle.js'
import {runWindow} from './window.js'

/** The way back sends a failed change again this many times before leaving an instance to a human. */
const RESTORE_RETRIES = 2

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
      step: scope === 'canary' ? 'canary' : 'rolling',
      instances: inScope.map((i) => ({instanceId: i.instanceId, version: input.version})),
      window: scope === 'canary' ? Math.min(plan.window, plan.canary) : plan.window,
      maxErrors: plan.maxErrors,
      failuresBefore: scope === 'canary' ? 0 : input.tally.failed,
      retries: 0,
      group: members.group,
      standby: members.standby,
      targetGroups: members.targetGroups,
      state: progress.forward,
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
    step: 'rolling',
    instances,
    window: failed.length,
    maxErrors: 0,
  })
  deps.report({releaseId, step: 'rolling', message: `${result.changed.length} failed instances back on their previous version`})
}

/**
 * The way back: every instance the release touched gets the version it ran before (recorded in
 * planning), through the same window; instances left in Standby return to service. Instances that
 * cannot be put back are named with their version, for a human.
 */
export function restore(deps: IncrementalDeps, journal: InstanceJournal) {
  return async (input: RestoreInput): Promise<RestoreResult> => {
    // Forward commands stopped mid-flight end before anything is sent back (see settle.ts).
    await settleForward(deps, foldJournal(await journal.load()), input.releaseId)
    const progress = foldJournal(await journal.load())
    const touched = progress.planned.filter((p) => {
      const phase = progress.forward.get(p.instanceId)?.phase
      return phase !== undefined && phase !== 'planned'
    })
    const stranded: RestoreResult['stranded'] = []
    const instances: {instanceId: string; version: string; returnOnly?: boolean}[] = []
    for (const p of touched) {
      // Terminated by its group during the release: there is nothing left to put back.
      if (progress.forward.get(p.instanceId)?.phase === 'gone') continue
      const back = versionToRestore(p, input.previousVersion)
      if (progress.forward.get(p.instanceId)?.undelivered === true) {
        // Never reached by the change: nothing to put back (a command would not reach it either);
        // it only leaves Standby, which puts the group's desired capacity back.
        instances.push({instanceId: p.instanceId, version: back.version ?? 'unchanged', returnOnly: true})
        continue
      }
      if (back.version !== undefined) instances.push({instanceId: p.instanceId, version: back.version})
      else stranded.push({instanceId: p.instanceId, version: input.version, reason: back.reason})
    }
    // What the fleet runs again: the live version, or for a first release the one version the plan found.
    const found = [...new Set(progress.planned.map((p) => p.previousVersion).filter((v) => isVersion(v)))]
    const restoredVersion = input.previousVersion ?? (found.length === 1 ? (found[0] ?? null) : null)
    // Instances the group launched during the release (in place of one it terminated, or scaling out)
    // booted what its launch template boots, whatever this release did: they get the restored version too.
    // A converge's plan holds the drifted instances alone: the rest of the fleet is not its to restore.
    const launched = input.only ? [] : await launchedDuring(deps, new Set(progress.planned.map((p) => p.instanceId)))
    if (launched.length > 0) {
      const missing = new Set(
        await awaitAgents(deps, {releaseId: input.releaseId, step: 'rollingBack', instanceIds: launched, timeoutMs: deps.settings.timeouts.verifyMs, pollIntervalMs: deps.settings.pollIntervalMs}),
      )
      for (const id of launched) {
        if (missing.has(id)) {
          stranded.push({instanceId: id, version: null, reason: `launched by its group during the release; ${neverRegistered([id], 1, deps.settings.timeouts.verifyMs)}`})
        } else if (restoredVersion === null) {
          stranded.push({instanceId: id, version: null, reason: 'launched by its group during the release; no last known good version to put on it'})
        } else {
          instances.push({instanceId: id, version: restoredVersion})
        }
      }
    }
    const window = Math.max(1, input.plan?.window ?? 1)
    const result = await restorePass(deps, journal, {
      releaseId: input.releaseId,
      step: 'rollingBack',
      instances,
      window,
      maxErrors: Number.POSITIVE_INFINITY,
    })
    for (const f of result.failed) {
      stranded.push({instanceId: f.instanceId, version: null, reason: f.reason})
    }
    if (restoredVersion) {
      await deps.parameters.put(desiredVersionParameter(deps.settings.target), restoredVersion, `rolled back by ${input.releaseId}`)
    }
    // Terminated before or during the way back: nothing was, or could be, restored on them.
    const gone = [...new Set([...[...progress.forward].filter(([, r]) => r.phase === 'gone').map(([id]) => id), ...result.gone])]
    const replaced = gone.length > 0 || launched.length > 0 ? {replaced: {gone, launched}} : {}
    if (gone.length > 0) {
      deps.report({releaseId: input.releaseId, step: 'rollingBack', message: `${gone.length} instances were terminated by their group during the release, nothing to restore on them: ${gone.join(', ')}`})
    }
    return {restored: result.changed.length, stranded, ...replaced}
  }
}

/** InService instances of the fleet's group that the plan does not know: launched during the release. */
async function launchedDuring(deps: IncrementalDeps, planned: Set<string>): Promise<string[]> {
  const selector = deps.settings.fleet
  if (!('group' in selector)) return []
  const group = await deps.fleet.describeGroup(selector.group)
  return (group?.instances ?? []).filter((i) => i.lifecycle === 'InService' && !planned.has(i.id)).map((i) => i.id)
}

/** Says which instances the group launched during the release: they run what its launch template boots. */
async function reportLaunched(deps: IncrementalDeps, releaseId: string, step: string, planned: Set<string>): Promise<void> {
  const launched = await launchedDuring(deps, planned)
  if (launched.length === 0) return
  deps.report({
    releaseId,
    step,
    message: `${launched.length} instances were launched by the group during the release (${launched.join(', ')}): this release did not change them; they run what the launch template boots`,
  })
}

/**
 * The version an instance goes back to: the one it was found running, or the last known good version
 * when that is unknown. Both are checked again here (a journal written by an older release may hold
 * an unchecked reading), so that nothing but a valid version ever reaches a command.
 */
function versionToRestore(
  planned: {previousVersion: string | null; unknownReason?: string},
  lastKnownGood: string | null,
): {version: string; reason?: undefined} | {version?: undefined; reason: string} {
  if (planned.previousVersion !== null && isVersion(planned.previousVersion)) return {version: planned.previousVersion}
  const why =
    planned.unknownReason ??
    (planned.previousVersion === null ? 'previous version unknown' : `previous version unknown: ${versionProblem(planned.previousVersion)}`)
  if (lastKnownGood !== null && isVersion(lastKnownGood)) return {version: lastKnownGood}
  return {reason: `${why}, and there is no last known good version to put back; restore it by hand`}
}

/** A pass of the window putting previous versions back; a failed change is sent again before giving up. */
async function restorePass(
  deps: IncrementalDeps,
  journal: InstanceJournal,
  job: {releaseId: string; step: string; instances: {instanceId: string; version: string; returnOnly?: boolean}[]; window: number; maxErrors: number},
) {
  const progress = foldJournal(await journal.load())
  const members = await fleetMembers(deps)
  return runWindow(deps, {
    ...job,
    pass: 'restore',
    failuresBefore: 0,
    retries: RESTORE_RETRIES,
    group: members.group,
    standby: members.standby,
    targetGroups: members.targetGroups,
    state: progress.restore,
    alsoOut: 0,
    append: (records) => journal.append(records),
  })
}
