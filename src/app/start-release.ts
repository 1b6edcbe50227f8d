/**
 * Starting a release (rollout, rollback, and a converge through the same path): the checks that refuse
 * bad input before anything changes, under the target's lease, then the ledger's record and the machine.
 */
import {leaseTtlMs} from './lease-ttl.js'
import {targetOrError, validateVersion} from '../config/index.js'
import {appendJournal} from '../engine/journal.js'
import {acquireLease} from '../engine/lease.js'
import type {ReleaseRecord, RequestedOptions} from '../engine/ledger.js'
import {whoAmI} from '../util/who.js'
import {UserError} from '../errors.js'
import {openAccount, type AccountOverrides} from './account.js'
import {strategyRunner} from './kinds/index.js'
import type {ReleaseOptions} from './kinds/kind.js'
import {LeaseWatch} from './lease-watch.js'
import {noticeOf, notifierFor} from './notices/index.js'
import {alarmWatch, checkAlarms, describeAlarm} from './alarms.js'
import {checkAgainstAccount} from './preflight.js'
import {checkDrift, refuseDrifted} from './drift-check.js'
import {driveRelease} from './drive-release.js'
import {giveBack, held, triggersFor, watched} from './lease-wiring.js'
import {housekeepUnderLease} from './release-housekeeping.js'
import type {ReleaseHooks, ReleaseRequest, ReleaseResult} from './release-request.js'
import {refuseInterrupted} from './release-to-act-on.js'
import type {Workspace} from './workspace.js'

export async function rollout(
  ws: Workspace,
  request: Omit<ReleaseRequest, 'kind' | 'emergency'>,
  hooks: ReleaseHooks = {},
  overrides: AccountOverrides = {},
): Promise<ReleaseResult> {
  return runRelease(ws, {...request, kind: 'rollout'}, hooks, overrides)
}

/** Back to `to`, or by default to the last known good version before the live one. */
export async function rollback(
  ws: Workspace,
  request: {target: string; to?: string; emergency?: boolean},
  hooks: ReleaseHooks = {},
  overrides: AccountOverrides = {},
): Promise<ReleaseResult> {
  const target = targetOrError(ws.config, request.target)
  const ledger = await ws.ledger.read(target.name)
  const good = succeededVersions(ledger.releases).filter((v) => v !== ledger.liveVersion)
  const version = request.to === undefined ? await ws.ledger.lastKnownGood(target.name) : validateVersion(request.to)
  if (version === undefined) {
    throw new UserError(
      'E_NO_EARLIER_VERSION',
      `${target.name} has no earlier version to roll back to (live: ${ledger.liveVersion ?? 'none'})`,
      `roll out a version instead: release rollout ${target.name} --version <version>`,
    )
  }
  if (version === ledger.liveVersion) {
    throw new UserError('E_ALREADY_LIVE', `${version} is already live on ${target.name}`, `see release status ${target.name}`)
  }
  if (!good.includes(version)) {
    throw new UserError(
      'E_UNKNOWN_VERSION',
      `${target.name} never ran ${version} successfully, so it is not a version to roll back to`,
      good.length > 0
        ? `choose one of: ${good.join(', ')}; or roll it out: release rollout ${target.name} --version ${version}`
        : `roll it out instead: release rollout ${target.name} --version ${version}`,
    )
  }
  return runRelease(ws, {target: target.name, version, kind: 'rollback', emergency: request.emergency}, hooks, overrides)
}

/** One release of any kind; `converge` (src/app/converge.ts) runs through here like a rollout. */
export async function runRelease(
  ws: Workspace,
  request: ReleaseRequest,
  hooks: ReleaseHooks,
  overrides: AccountOverrides,
): Promise<ReleaseResult> {
  const target = targetOrError(ws.config, request.target)
  const version = validateVersion(request.version)
  const runner = strategyRunner(target)
  // The id the ledger will give this release: under the lease nobody else can take it first.
  const releaseId = ws.ledger.nextId(await ws.ledger.read(target.name))
  const lease = await acquireLease(ws.store, target.name, {releaseId, ttlMs: leaseTtlMs(), now: ws.now})
  const watch = new LeaseWatch(ws.store, lease)
  const own = held(ws, watch)
  try {
    await refuseInterrupted(own, target.name)
    const triggers = triggersFor(own, runner)
    const account = await openAccount(ws.config, watched(overrides, watch, triggers))
    await runner.preflight(account, version)
    // A rollback is what an alarm calls for: only a rollout is refused for one in ALARM.
    const alarming = await checkAlarms(account.alarms, target, {refuseAlarming: request.kind === 'rollout', ignore: request.ignoreAlarms === true, environment: ws.config.environment})
    const options = await checkAgainstAccount(own, account, target, {...request, version})
    // What is live is checked for drift first: said, or with drift: refuse, refused (nothing changed).
    const drifted = request.kind === 'rollout' ? await checkDrift(own, account, target) : undefined
    for (const line of drifted?.lines ?? []) hooks.onProgress?.({releaseId, state: 'planning', message: line})
    if (drifted) refuseDrifted(target, drifted)
    await housekeepUnderLease(own, account, target, releaseId, hooks)
    // The options go into the ledger with the record: a resume before the first snapshot needs them.
    const record = await own.ledger.begin(target.name, {version, strategy: runner.strategy, kind: request.kind, options: requestedOptions(options, request)})
    hooks.onStart?.(record, {resumed: false})
    if (drifted && drifted.lines.length > 0) {
      await appendJournal(own.store, record.id, {type: 'note', state: 'planning', message: drifted.lines.join('\n'), now: ws.now})
    }
    if (alarming.length > 0) {
      const note = `started with ${alarming.map(describeAlarm).join('; ')} (${request.ignoreAlarms ? `--ignore-alarms by ${whoAmI()}` : 'a rollback'}); not counted while they stay so`
      // Kept with the note: a resumed release lets the same alarms through.
      const data = {ignoredAlarms: alarming.map((a) => ({name: a.name, since: a.since}))}
      await appendJournal(own.store, record.id, {type: 'note', state: 'planning', message: note, data, now: ws.now})
    }
    if (target.alarms.length > 0) triggers.watchAlarms(alarmWatch(account.alarms, target.alarms, alarming))
    triggers.arm(record.id)
    const notifier = notifierFor(own, account, target, record.id, overrides.notices)
    const started = `${request.kind} of ${target.name} to ${version} started (live: ${record.previousVersion ?? 'none'})`
    await notifier.notify('started', noticeOf('started', record, started, ws.now()))
    return await driveRelease(own, account, runner, target, record, {input: await runner.input(own, record, options)}, watch, hooks, triggers, notifier)
  } finally {
    await giveBack(lease)
  }
}

/** What the ledger keeps of the flags a release was started with (only those that were given). */
function requestedOptions(options: ReleaseOptions, request: ReleaseRequest): RequestedOptions | undefined {
  const kept: RequestedOptions = {
    ...(options.adopt ? {adopt: options.adopt} : {}),
    ...(options.emergency ? {emergency: true} : {}),
    ...(request.force ? {force: true} : {}),
    ...(request.instances ? {instances: request.instances} : {}),
    ...(request.fleet ? {fleet: request.fleet} : {}),
  }
  return Object.keys(kept).length > 0 ? kept : undefined
}

function succeededVersions(releases: ReleaseRecord[]): string[] {
  return [...new Set([...releases].reverse().filter((r) => r.outcome === 'succeeded').map((r) => r.version))]
}
