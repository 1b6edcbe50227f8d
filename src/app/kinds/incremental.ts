/** The incremental (in-place) strategy as the app runs it. */
import {resourceName} from '../../config/environments.js'
import {INCREMENTAL_MACHINE_VERSION, incrementalMachine, type IncrementalContext, type IncrementalInput} from '../../../machines/incremental.js'
import {incrementalStrategy, windowSize, type IncrementalDeps, type IncrementalSettings} from '../../../strategies/incremental/index.js'
import {fleetMembers} from '../../../strategies/incremental/fleet.js'
import {SHELL_DOCUMENTS} from '../../../strategies/incremental/change.js'
import type {IncrementalTargetConfig} from '../../config/index.js'
import {JournalInstanceLog} from '../../engine/instance-journal.js'
import type {IncrementalDetails} from '../../engine/release-details.js'
import {UserError} from '../../errors.js'
import type {ProgressSink} from '../../ports/release.js'
import type {Account} from '../account.js'
import {whatSentItBack} from '../summary.js'
import type {StrategyRunner} from './kind.js'
import {WINDOW_POLL_INTERVAL_MS} from './timing.js'
import {unavailableError, whileAvailable} from './unavailable.js'

export function incrementalRunner(target: IncrementalTargetConfig): StrategyRunner {
  return {
    strategy: 'incremental',
    machine: incrementalMachine,
    machineVersion: INCREMENTAL_MACHINE_VERSION,
    async preflight(account) {
      await whileAvailable(`the checks of ${target.name} before its release`, async () => {
        await checkDocument(account, target)
        await checkFleet(account, target)
      })
    },
    async input(_ws, record): Promise<IncrementalInput> {
      return {
        releaseId: record.id,
        target: resourceName(target),
        version: record.version,
        kind: record.kind,
        previousVersion: record.previousVersion,
        // A converge re-applies a version that already went past its gates: it stops at none.
        gates: record.kind === 'converge' ? [] : target.gates,
        ...(record.options?.instances ? {only: record.options.instances} : {}),
      }
    },
    // The canary, every window and the bake; the way back (restore) is never interrupted.
    stopSteps: {abort: ['roll', 'bake'], alarms: ['roll', 'bake']},
    bind({ws, account, record, report, atStep}) {
      const journal = new JournalInstanceLog(ws.store, record.id, ws.now)
      return incrementalStrategy(incrementalDeps(account, target, report), journal, atStep)
    },
    details(raw): IncrementalDetails {
      const context = raw as IncrementalContext | undefined
      if (!context) return {}
      return {
        plan: context.plan,
        tally: context.tally,
        bakeUntil: context.bakeUntil,
        failure: context.failure,
        rollbackFailure: context.rollbackFailure,
        restore: context.restore,
        abort: context.abort,
      }
    },
    summarize(record, outcome, raw) {
      return summarizeIncremental(record.id, target.name, record.version, record.previousVersion, outcome, raw as IncrementalContext)
    },
  }
}

/** The one place the strategy's settings are made: named field by field from the resolved target. */
export function settingsFor(target: IncrementalTargetConfig): IncrementalSettings {
  return {
    target: resourceName(target),
    fleet: target.fleet,
    change: target.change,
    maxUnavailable: target.maxUnavailable,
    canary: target.canary,
    maxErrors: target.maxErrors,
    bakeMs: target.bakeMs,
    timeouts: target.timeouts,
    ...(target.windowPolicy ? {windowPolicy: target.windowPolicy} : {}),
    pollIntervalMs: WINDOW_POLL_INTERVAL_MS,
  }
}

export function incrementalDeps(account: Account, target: IncrementalTargetConfig, report: ProgressSink): IncrementalDeps {
  return {
    fleet: account.fleet,
    commands: account.commands,
    parameters: account.parameters,
    targets: account.targets,
    clock: account.clock,
    report,
    settings: settingsFor(target),
  }
}

/** A document the account does not have, or one lacking the version parameter, is refused before anything changes. */
async function checkDocument(account: Account, target: IncrementalTargetConfig): Promise<void> {
  const {document, versionParameter} = target.change
  const found = await account.commands.describeDocument(document)
  if (!found) {
    throw new UserError(
      'E_DOCUMENT',
      `${target.name}: the SSM document ${document} does not exist in the account`,
      `create it, or use AWS-RunShellScript with apply and verify lines (targets.${target.name}.change in release.yml); nothing was changed`,
    )
  }
  if (SHELL_DOCUMENTS.has(document)) return
  const undeclared = Object.keys(target.change.parameters).filter((name) => !found.parameters.includes(name))
  if (undeclared.length > 0) {
    throw new UserError(
      'E_DOCUMENT',
      `${target.name}: the SSM document ${document} declares no parameter ${undeclared.join(', ')} (it has: ${found.parameters.join(', ') || 'none'})`,
      `fix targets.${target.name}.change.parameters in release.yml (names are case-sensitive); nothing was changed`,
    )
  }
  const given = new Set([...Object.keys(target.change.parameters), ...(versionParameter ? [versionParameter] : [])])
  const missing = found.required.filter((name) => !given.has(name))
  if (missing.length > 0) {
    throw new UserError(
      'E_DOCUMENT',
      `${target.name}: the SSM document ${document} requires ${missing.join(', ')}, which targets.${target.name}.change.parameters does not give`,
      `add ${missing.join(', ')} to targets.${target.name}.change.parameters in release.yml; nothing was changed`,
    )
  }
  if (versionParameter && !found.parameters.includes(versionParameter)) {
    throw new UserError(
      'E_DOCUMENT',
      `${target.name}: the SSM document ${document} has no parameter ${versionParameter} (it has: ${found.parameters.join(', ') || 'none'})`,
      `set change.versionParameter to the document's version parameter; nothing was changed`,
    )
  }
}

/** An empty fleet, or a window of 0 or larger than the fleet, is refused before anything changes. */
async function checkFleet(account: Account, target: IncrementalTargetConfig): Promise<void> {
  const deps = incrementalDeps(account, target, () => undefined)
  let size: number
  let members
  try {
    members = await fleetMembers(deps)
    size = members.instanceIds.length
  } catch (error) {
    // Only a fleet that is not there is a fleet problem; an account that does not answer is not.
    throw (
      unavailableError(error, `reading the fleet of ${target.name}`) ??
      new UserError('E_FLEET', `${target.name}: ${(error as Error).message}`, 'check targets.' + target.name + '.fleet in release.yml; nothing was changed')
    )
  }
  const where = 'group' in target.fleet ? `group ${target.fleet.group}` : `instances tagged ${JSON.stringify(target.fleet.tags)}`
  if (size === 0) {
    throw new UserError('E_FLEET', `${target.name}: the fleet (${where}) has no instances in service`, `check targets.${target.name}.fleet in release.yml; nothing was changed`)
  }
  const window = 'count' in target.maxUnavailable ? target.maxUnavailable.count : windowSize(target.maxUnavailable, size)
  if (window < 1 || window > size) {
    throw new UserError(
      'E_WINDOW',
      `${target.name}: maxUnavailable ${describeAmount(target.maxUnavailable)} means ${window} of ${size} instances out of service at once; it must be between 1 and ${size}`,
      `set targets.${target.name}.maxUnavailable to a count from 1 to ${size} or a percent of at least ${Math.ceil(100 / size)}%; nothing was changed`,
    )
  }
  if (members.standby && members.group) await checkMinSize(account, target, members.group, window)
}

/**
 * Instances go to Standby decrementing the desired capacity, which Auto Scaling refuses below the
 * group's MinSize (ValidationError). Found here, before anything changes, not at the canary.
 */
async function checkMinSize(account: Account, target: IncrementalTargetConfig, groupName: string, window: number): Promise<void> {
  const group = await account.fleet.describeGroup(groupName)
  if (!group || group.desired - window >= group.min) return
  const room = group.desired - group.min
  const lowerMin = Math.max(0, group.desired - window)
  throw new UserError(
    'E_MIN_SIZE',
    `${target.name}: group ${groupName} has MinSize ${group.min} and desired capacity ${group.desired}; with ${window} instances in Standby at once the desired capacity would fall to ${group.desired - window}, below MinSize, and Auto Scaling would refuse it`,
    (room >= 1 ? `set targets.${target.name}.maxUnavailable to at most ${room}, or ` : '') +
      `lower the group's MinSize to ${lowerMin} for the release (aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${groupName} --min-size ${lowerMin}) and raise it again afterwards; nothing was changed`,
  )
}

function describeAmount(amount: IncrementalTargetConfig['maxUnavailable']): string {
  return 'count' in amount ? String(amount.count) : `${amount.percent}%`
}

/** The instances the group terminated and launched during the release, as a rollback's summary tells them. */
function describeReplaced(replaced: {gone: string[]; launched: string[]} | undefined): string {
  if (!replaced) return ''
  const parts: string[] = []
  if (replaced.gone.length > 0) parts.push(` ${replaced.gone.join(', ')} ${replaced.gone.length === 1 ? 'was' : 'were'} terminated by the Auto Scaling group during the release (nothing to restore on ${replaced.gone.length === 1 ? 'it' : 'them'}).`)
  if (replaced.launched.length > 0) {
    parts.push(
      ` ${replaced.launched.join(', ')}, launched by the group during the release, booted what its launch template boots (not this release's doing) and ${replaced.launched.length === 1 ? 'was' : 'were'} put back on the restored version with the rest.`,
    )
  }
  return parts.join('')
}

function summarizeIncremental(
  id: string,
  target: string,
  version: string,
  previous: string | null,
  outcome: string,
  context: IncrementalContext,
): string {
  const size = context.plan?.fleetSize ?? 0
  switch (outcome) {
    case 'succeeded':
      return `${version} is live on ${target} (${id}): ${context.tally.changed} of ${size} instances changed in place${context.tally.failed ? `; ${context.tally.failed} failed within maxErrors and were put back on their previous version` : ''}.`
    case 'aborted':
      return `${version} was aborted at ${context.abort?.at}${context.abort?.by ? ` by ${context.abort.by}` : ''}: ${context.abort?.reason}. ${context.restore?.restored ?? 0} instances were put back on ${previous ?? 'their previous version'}.`
    case 'rolledBack':
      return `${version} was rolled back: ${context.failure?.step} failed: ${context.failure?.message}. ${context.restore?.restored ?? 0} instances were put back on ${previous ?? 'their previous version'}; ${previous ?? 'the previous version'} is live again.${describeReplaced(context.restore?.replaced)}`
    default: {
      if (!context.rollbackFailure) {
        return `${id} failed at ${context.failure?.step ?? 'planning'}: ${context.failure?.message ?? 'unknown'}. No instance was changed. Fix the cause, then run: release rollout ${target} --version ${version}`
      }
      const stranded = context.restore?.stranded ?? []
      const list = stranded.map((s) => `${s.instanceId} (${s.version ?? 'version unknown'}: ${s.reason})`).join(', ')
      return `${id} ${whatSentItBack(context)}. Rolling back then failed: ${context.rollbackFailure.message}${list ? `: ${list}` : ''}. Those instances may be in Standby or on ${version}; put ${previous ?? 'the previous version'} back on them by hand (or fix the cause and run release rollout ${target} --version ${previous ?? '<version>'}), then return them to service.`
    }
  }
}
