import type {FleetPlan} from '../../machines/incremental.js'
import type {PlanInput} from '../../machines/incremental-inputs.js'
import type {Clock} from '../../src/ports/clock.js'
import type {CommandPort} from '../../src/ports/commands.js'
import type {InstanceJournal, InstanceRecord} from '../../src/ports/instance-journal.js'
import {desiredVersionParameter} from '../../src/ports/parameters.js'
import {pollUntil} from '../../src/util/poll.js'
import {versionProblem} from '../../src/util/version.js'
import {requireAgents, sendReadOnly} from '../agents.js'
import {resolveAmount, windowSize, type ChangeSettings, type IncrementalDeps} from './deps.js'
import {describeFleet, fleetMembers} from './fleet.js'
import {incrementalHealthSignals} from './health.js'
import {foldJournal} from './progress.js'

/**
 * Discovers the fleet and records, in the journal, every instance and the version it runs now (what
 * a rollback puts back), then publishes the desired version in Parameter Store. A resumed planning
 * keeps the plan it had already written.
 */
export function plan(deps: IncrementalDeps, journal: InstanceJournal) {
  return async (input: PlanInput): Promise<FleetPlan> => {
    const {settings, report, clock} = deps
    let planned = foldJournal(await journal.load()).planned
    if (planned.length === 0) {
      const members = await fleetMembers(deps)
      // A converge changes the drifted instances alone (those still in service); the window is theirs.
      const only = input.only
      if (only) members.instanceIds = members.instanceIds.filter((id) => only.includes(id))
      if (members.instanceIds.length === 0) throw new Error(`the fleet (${describeFleet(deps)}) has no instances in service`)
      // Every change is a Run Command: an instance InService whose agent has not registered yet (just
      // launched) is waited for, one that never does stops the release here, before anything changed.
      await requireAgents(deps, {
        releaseId: input.releaseId,
        step: 'planning',
        instanceIds: members.instanceIds,
        timeoutMs: settings.timeouts.verifyMs,
        pollIntervalMs: settings.pollIntervalMs,
      })
      const health = incrementalHealthSignals({document: settings.change.document, verify: settings.change.verify, targetGroups: members.targetGroups})
      report({releaseId: input.releaseId, step: 'planning', message: `health signals: ${health.signals.join('; ')}`})
      if (health.warning) report({releaseId: input.releaseId, step: 'planning', message: `warning: ${health.warning}`})
      const versions = await currentVersions(deps, members.instanceIds, input.previousVersion)
      const now = clock.now()
      const records: InstanceRecord[] = members.instanceIds.map((instanceId, order) => {
        const read = versions.get(instanceId)
        return {
          instanceId,
          pass: 'forward',
          phase: 'planned',
          order,
          previousVersion: read?.version ?? input.previousVersion,
          at: now,
          ...(read?.unknown !== undefined ? {reason: read.unknown} : {}),
        }
      })
      await journal.append(records)
      for (const r of records) {
        if (r.reason === undefined) continue
        const back = r.previousVersion ? `it will be restored to the last known good version ${r.previousVersion}` : 'no last known good version to restore it to'
        report({releaseId: input.releaseId, step: 'planning', message: `${r.instanceId}: ${r.reason}; ${back}`})
      }
      planned = foldJournal(records).planned
    }
    const fleetSize = planned.length
    const window = windowSize(settings.maxUnavailable, fleetSize)
    if (window < 1) throw new Error(`maxUnavailable resolves to 0 instances of ${fleetSize}: nothing could change`)
    const maxErrors = resolveAmount(settings.maxErrors, fleetSize)
    const canary = Math.min(settings.canary, fleetSize)
    const parameter = desiredVersionParameter(settings.target)
    const published = await deps.parameters.put(parameter, input.version, `desired version of ${settings.target} (release ${input.releaseId})`)
    report({
      releaseId: input.releaseId,
      step: 'planning',
      message: `${fleetSize} instances of ${describeFleet(deps)}; window ${window}, canary ${canary}, maxErrors ${maxErrors}; ${parameter} = ${input.version} (v${published})`,
    })
    return {fleetSize, window, maxErrors, canary}
  }
}

/**
 * What reading the versions needs: an incremental target's deps have it, and `release drift` builds
 * it for an immutable target's `current` lines too (the same command, the same rules).
 */
export interface VersionReading {
  commands: CommandPort
  clock: Clock
  settings: {change: Pick<ChangeSettings, 'document' | 'current'>; timeouts: {applyMs: number; verifyMs: number}; pollIntervalMs: number}
}

/** What an instance was found to run: a valid version, or why it is unknown. */
export interface VersionRead {
  version: string | null
  /** Set when the instance printed something that is not a version: it is never used. */
  unknown?: string
}

/**
 * What each instance runs now, read with the target's `current` command (its standard output), or,
 * without one, assumed to be the live version from the ledger. What an instance prints is untrusted:
 * it is later substituted into the restore command, so it must pass the rule a typed version passes.
 */
export async function currentVersions(deps: VersionReading, instanceIds: string[], live: string | null): Promise<Map<string, VersionRead>> {
  const {change, timeouts, pollIntervalMs} = deps.settings
  const versions = new Map<string, VersionRead>(instanceIds.map((id) => [id, {version: live}]))
  if (change.current.length === 0) return versions
  const commandIds = await sendReadOnly(
    deps,
    {documentName: change.document, instanceIds, parameters: {commands: change.current}, comment: 'release: read the current version'},
    {timeoutMs: timeouts.verifyMs, pollIntervalMs},
  )
  const results = await pollUntil(
    async () => {
      const invocations = await deps.commands.invocations(commandIds, {withOutput: true})
      return invocations.length >= instanceIds.length && invocations.every((r) => r.done) ? invocations : undefined
    },
    {
      clock: deps.clock,
      // Reading a version is a Run Command like any other: it gets as long as a change does.
      deadline: deps.clock.now() + timeouts.applyMs + timeouts.verifyMs,
      intervalMs: pollIntervalMs,
      maxIntervalMs: pollIntervalMs * 3,
      what: `the current version of ${instanceIds.length} instances`,
    },
  )
  for (const r of results) {
    if (!r.ok || !r.output) continue
    const printed = r.output.trim().split(/\s+/)[0] ?? ''
    const problem = versionProblem(printed)
    if (problem === undefined) versions.set(r.instanceId, {version: printed})
    else versions.set(r.instanceId, {version: null, unknown: `previous version unknown: its current command printed ${shown(printed)}, not a version`})
  }
  return versions
}

/** Untrusted text in a message: quoted, shortened, control characters escaped by JSON. */
function shown(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text)
}
