/** The step of the machine's rollingBack state: every instance the release touched goes back. */
import type {RestoreResult} from '../../machines/incremental.js'
import type {RestoreInput} from '../../machines/incremental-inputs.js'
import type {InstanceJournal} from '../../src/ports/instance-journal.js'
import {desiredVersionParameter} from '../../src/ports/parameters.js'
import {isVersion, versionProblem} from '../../src/util/version.js'
import {awaitAgents, neverRegistered} from '../agents.js'
import type {IncrementalDeps} from './deps.js'
import {fleetMembers} from './fleet.js'
import {foldJournal} from './progress.js'
import {settleForward} from './settle.js'
import {runWindow} from './window.js'

/** The way back sends a failed change again this many times before leaving an instance to a human. */
const RESTORE_RETRIES = 2

/**
 * The way back: every instance the release touched gets the version it ran before (recorded in
 * planning), through the same window; instances left in Standby return to service. Instances that
 * cannot be put back are named with their version, for a human.
 */
export function restore(deps: IncrementalDeps, journal: InstanceJournal) {
  return async (input: RestoreInput): Promise<RestoreResult> => {
    // Forward commands stopped mid-flight end before anything is sent back (see settle.ts).
    await settleForward(deps, foldJournal(await journal.load()), {releaseId: input.releaseId, version: input.version})
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
        await awaitAgents(deps, {releaseId: input.releaseId, state: 'rollingBack', instanceIds: launched, timeoutMs: deps.settings.timeouts.verifyMs, pollIntervalMs: deps.settings.pollIntervalMs}),
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
      state: 'rollingBack',
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
      deps.report({releaseId: input.releaseId, state: 'rollingBack', message: `${gone.length} instances were terminated by their group during the release, nothing to restore on them: ${gone.join(', ')}`})
    }
    return {restored: result.changed.length, stranded, ...replaced}
  }
}

/** InService instances of the fleet's group that the plan does not know: launched during the release. */
export async function launchedDuring(deps: IncrementalDeps, planned: Set<string>): Promise<string[]> {
  const selector = deps.settings.fleet
  if (!('group' in selector)) return []
  const group = await deps.fleet.describeGroup(selector.group)
  return (group?.instances ?? []).filter((i) => i.lifecycle === 'InService' && !planned.has(i.id)).map((i) => i.id)
}

/**
 * The version an instance goes back to: the one it was found running, or the last known good version
 * when that is unknown. Both are checked again here (a journal written by an older release may hold
 * an unchecked reading), so that nothing but a valid version ever reaches a command.
 */
export function versionToRestore(
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
export async function restorePass(
  deps: IncrementalDeps,
  journal: InstanceJournal,
  job: {releaseId: string; state: string; instances: {instanceId: string; version: string; returnOnly?: boolean}[]; window: number; maxErrors: number},
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
    records: progress.restore,
    alsoOut: 0,
    append: (records) => journal.append(records),
  })
}
