import type {FleetPlan, StepInput} from '../../machines/incremental.js'
import type {InstanceJournal, InstanceRecord} from '../../src/ports/instance-journal.js'
import {desiredVersionParameter} from '../../src/ports/parameters.js'
import {pollUntil} from '../../src/util/poll.js'
import {resolveAmount, windowSize, type IncrementalDeps} from './deps.js'
import {describeFleet, fleetMembers} from './fleet.js'
import {foldJournal} from './progress.js'

/**
 * Discovers the fleet and records, in the journal, every instance and the version it runs now (what
 * a rollback puts back), then publishes the desired version in Parameter Store. A resumed planning
 * keeps the plan it had already written.
 */
export function plan(deps: IncrementalDeps, journal: InstanceJournal) {
  return async ({input: {context}}: {input: StepInput}): Promise<FleetPlan> => {
    const {settings, report, clock} = deps
    let planned = foldJournal(await journal.load()).planned
    if (planned.length === 0) {
      const members = await fleetMembers(deps)
      if (members.instanceIds.length === 0) throw new Error(`the fleet (${describeFleet(deps)}) has no instances in service`)
      const versions = await currentVersions(deps, members.instanceIds, context.previousVersion)
      const now = clock.now()
      const records: InstanceRecord[] = members.instanceIds.map((instanceId, order) => ({
        instanceId,
        pass: 'forward',
        phase: 'planned',
        order,
        previousVersion: versions.get(instanceId) ?? context.previousVersion,
        at: now,
      }))
      await journal.append(records)
      planned = foldJournal(records).planned
    }
    const fleetSize = planned.length
    const window = windowSize(settings.maxUnavailable, fleetSize)
    if (window < 1) throw new Error(`maxUnavailable resolves to 0 instances of ${fleetSize}: nothing could change`)
    const maxErrors = resolveAmount(settings.maxErrors, fleetSize)
    const canary = Math.min(settings.canary, fleetSize)
    const parameter = desiredVersionParameter(settings.target)
    const published = await deps.parameters.put(parameter, context.version, `desired version of ${settings.target} (release ${context.releaseId})`)
    report({
      releaseId: context.releaseId,
      step: 'planning',
      message: `${fleetSize} instances of ${describeFleet(deps)}; window ${window}, canary ${canary}, maxErrors ${maxErrors}; ${parameter} = ${context.version} (v${published})`,
    })
    return {fleetSize, window, maxErrors, canary}
  }
}

/**
 * What each instance runs now, read with the target's `current` command (its standard output), or,
 * without one, assumed to be the live version from the ledger.
 */
async function currentVersions(deps: IncrementalDeps, instanceIds: string[], live: string | null): Promise<Map<string, string | null>> {
  const {change, timeouts, pollIntervalMs} = deps.settings
  const versions = new Map<string, string | null>(instanceIds.map((id) => [id, live]))
  if (change.current.length === 0) return versions
  const commandIds = await deps.commands.send({
    documentName: change.document,
    instanceIds,
    parameters: {commands: change.current},
    comment: 'release: read the current version',
  })
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
  for (const r of results) if (r.ok && r.output) versions.set(r.instanceId, r.output.trim().split(/\s+/)[0] ?? live)
  return versions
}
