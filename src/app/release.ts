/**
 * Rollout and rollback: one release of one target, from the checks that refuse bad input before
 * anything changes, through the persisted machine, to the ledger's verdict.
 */
import {immutableStrategy, type ImmutableSettings} from '../../strategies/immutable/index.js'
import {
  IMMUTABLE_MACHINE_VERSION,
  immutableMachine,
  type ImmutableContext,
  type ImmutableInput,
} from '../../machines/immutable.js'
import {targetOrError, validateVersion, type ImmutableTargetConfig} from '../config/index.js'
import {acquireLease, type Lease} from '../engine/lease.js'
import {appendJournal} from '../engine/journal.js'
import type {ReleaseRecord} from '../engine/ledger.js'
import {loadResumableSnapshot, loadSnapshot, runPersisted} from '../engine/runner.js'
import {UserError} from '../errors.js'
import {parseTemplate, resolveParameters, TemplateError} from '../template/index.js'
import {exitCodeFor, type Outcome, type ProgressEvent} from '../ports/release.js'
import {openAccount, type Account, type AccountOverrides} from './account.js'
import {summarize} from './summary.js'
import type {Workspace} from './workspace.js'

/** A lease outlives a crashed holder by at most this long; a running release renews it well before. */
const LEASE_TTL_MS = 5 * 60_000
/** How often steps look at the account while they wait (virtual time on the simulated account). */
const POLL_INTERVAL_MS = 5_000

export interface ReleaseRequest {
  target: string
  version: string
  kind: 'rollout' | 'rollback'
}

export interface ReleaseHooks {
  onStart?: (record: ReleaseRecord) => void
  onTransition?: (state: string, record: ReleaseRecord) => void
  onProgress?: (event: ProgressEvent) => void
}

export interface ReleaseResult {
  record: ReleaseRecord
  outcome: Outcome
  message: string
  exitCode: number
}

export async function rollout(
  ws: Workspace,
  request: Omit<ReleaseRequest, 'kind'>,
  hooks: ReleaseHooks = {},
  overrides: AccountOverrides = {},
): Promise<ReleaseResult> {
  return runRelease(ws, {...request, kind: 'rollout'}, hooks, overrides)
}

/** Back to `to`, or by default to the last known good version before the live one. */
export async function rollback(
  ws: Workspace,
  request: {target: string; to?: string},
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
  return runRelease(ws, {target: target.name, version, kind: 'rollback'}, hooks, overrides)
}

async function runRelease(
  ws: Workspace,
  request: ReleaseRequest,
  hooks: ReleaseHooks,
  overrides: AccountOverrides,
): Promise<ReleaseResult> {
  const target = targetOrError(ws.config, request.target)
  const version = validateVersion(request.version)
  // The id the ledger will give this release: under the lease nobody else can take it first.
  const releaseId = `${target.name}-${(await ws.ledger.read(target.name)).releases.length + 1}`
  const lease = await acquireLease(ws.store, target.name, {releaseId, ttlMs: LEASE_TTL_MS, now: ws.now})
  try {
    await refuseInterrupted(ws, target.name)
    const account = await openAccount(ws.config, overrides)
    checkParameterValues(target, version)
    await checkTemplate(account, target)
    const previous = await liveRelease(ws, target.name)
    const record = await ws.ledger.begin(target.name, {version, strategy: 'immutable', kind: request.kind})
    hooks.onStart?.(record)
    const input: ImmutableInput = {releaseId: record.id, target: target.name, version, kind: request.kind, previous}
    return await drive(ws, account, target, record, {input}, lease, hooks)
  } finally {
    await lease.release()
  }
}

/**
 * Continues a release whose process died (a crash, a cancelled CI job, a closed laptop) from its last
 * persisted snapshot: the step that was in flight runs again and re-attaches to what it had started.
 */
export async function resume(
  ws: Workspace,
  request: {target: string},
  hooks: ReleaseHooks = {},
  overrides: AccountOverrides = {},
): Promise<ReleaseResult> {
  const target = targetOrError(ws.config, request.target)
  const current = await ws.ledger.current(target.name)
  if (!current || current.outcome !== 'inProgress') {
    throw new UserError(
      'E_NOTHING_TO_RESUME',
      current
        ? `the latest release of ${target.name} (${current.id}) is not interrupted: it ended ${current.outcome}`
        : `${target.name} has no release to resume`,
      `see release status ${target.name}`,
    )
  }
  const lease = await acquireLease(ws.store, target.name, {releaseId: current.id, ttlMs: LEASE_TTL_MS, now: ws.now})
  try {
    // A process that died before its first snapshot had only begun planning, which changes nothing: start over.
    const start = (await loadSnapshot(ws.store, current.id))
      ? {snapshot: await loadResumableSnapshot(ws.store, current.id, immutableMachine, IMMUTABLE_MACHINE_VERSION)}
      : {input: {releaseId: current.id, target: target.name, version: current.version, kind: current.kind, previous: await liveRelease(ws, target.name)}}
    const account = await openAccount(ws.config, overrides)
    hooks.onStart?.(current)
    return await drive(ws, account, target, current, start, lease, hooks)
  } finally {
    await lease.release()
  }
}

async function drive(
  ws: Workspace,
  account: Account,
  target: ImmutableTargetConfig,
  record: ReleaseRecord,
  start: {input: ImmutableInput} | {snapshot: unknown},
  lease: Lease,
  hooks: ReleaseHooks,
): Promise<ReleaseResult> {
  const report = (event: ProgressEvent) => {
    hooks.onProgress?.(event)
    void appendJournal(ws.store, record.id, {type: 'progress', state: event.step, message: event.message, now: ws.now})
  }
  const machine = immutableStrategy(stepDeps(account, target, report))
  const renewal = setInterval(() => void lease.renew().catch(() => undefined), LEASE_TTL_MS / 3)
  renewal.unref()
  try {
    const result = await runPersisted({
      machine,
      ...start,
      releaseId: record.id,
      store: ws.store,
      machineVersion: IMMUTABLE_MACHINE_VERSION,
      now: ws.now,
      onTransition: async (state, context) => {
        const updated = await ws.ledger.update(target.name, record.id, {state, details: detailsOf(context)})
        await lease.renew()
        hooks.onTransition?.(state, updated)
        crashForTest(state)
      },
    })
    const context = result.context as ImmutableContext
    const outcome: Outcome = result.status === 'error' ? 'failed' : outcomeOf(result.state)
    const message = summarize({record, target: target.name, state: result.state, outcome, context, error: result.error})
    const finished = await ws.ledger.finish(target.name, record.id, {
      state: result.state,
      outcome,
      message,
      details: detailsOf(context),
    })
    return {record: finished, outcome, message, exitCode: exitCodeFor(outcome)}
  } finally {
    clearInterval(renewal)
  }
}

/**
 * Fault injection for the crash tests: RELEASE_TEST_CRASH_AT=<state> kills this process with SIGKILL
 * right after that state is persisted, as a crash or a cancelled CI job would.
 */
function crashForTest(state: string): void {
  if (process.env.RELEASE_TEST_CRASH_AT === state) process.kill(process.pid, 'SIGKILL')
}

function outcomeOf(state: string): Outcome {
  if (state === 'succeeded') return 'succeeded'
  if (state === 'rolledBack') return 'rolledBack'
  return 'failed'
}

/** What the ledger keeps of a release's context: where it runs, and what went wrong. */
function detailsOf(context: ImmutableContext | undefined): Record<string, unknown> {
  if (!context) return {}
  return {
    stackName: context.newStack?.name ?? null,
    group: context.newStack?.group ?? null,
    reusedStack: context.newStack?.reused ?? false,
    oldGroup: context.oldGroup,
    bakeUntil: context.bakeUntil,
    failure: context.failure,
    rollbackFailure: context.rollbackFailure,
    retired: context.retired,
  }
}

function stepDeps(account: Account, target: ImmutableTargetConfig, report: (event: ProgressEvent) => void) {
  return {
    stacks: account.stacks,
    fleet: account.fleet,
    commands: account.commands,
    clock: account.clock,
    report,
    settings: settingsFor(target),
  }
}

export function settingsFor(target: ImmutableTargetConfig): ImmutableSettings {
  const {name, strategy: _strategy, templatePath: _path, line: _line, ...settings} = target
  return {...settings, target: name, pollIntervalMs: POLL_INTERVAL_MS}
}

/** The release now live on a target and the stack it runs in, as the ledger recorded it. */
async function liveRelease(ws: Workspace, target: string): Promise<ImmutableInput['previous']> {
  const ledger = await ws.ledger.read(target)
  if (ledger.liveVersion === null) return null
  const live = [...ledger.releases]
    .reverse()
    .find((r) => r.outcome === 'succeeded' && r.version === ledger.liveVersion && r.details?.stackName)
  return live ? {version: live.version, stackName: String(live.details!.stackName)} : null
}

function succeededVersions(releases: ReleaseRecord[]): string[] {
  return [...new Set([...releases].reverse().filter((r) => r.outcome === 'succeeded').map((r) => r.version))]
}

/** A release that died mid-way must be resumed (or settled) before another one starts on the target. */
async function refuseInterrupted(ws: Workspace, target: string): Promise<void> {
  const current = await ws.ledger.current(target)
  if (current && current.outcome === 'inProgress') {
    throw new UserError(
      'E_INTERRUPTED',
      `release ${current.id} of ${target} (version ${current.version}) was interrupted at ${current.state}`,
      `continue it with: release resume ${target}`,
    )
  }
}

/**
 * The values the stack would get, checked against the template's constraints (AllowedPattern,
 * AllowedValues, MinValue...) here, so that a value CloudFormation would refuse is exit 2 with nothing
 * created, not a failed release.
 */
function checkParameterValues(target: ImmutableTargetConfig, version: string): void {
  try {
    resolveParameters(parseTemplate(target.templateBody), {...target.parameters, [target.versionParameter]: version})
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    throw new UserError(
      'E_PARAMETER',
      `${target.name}: the template ${target.templatePath} refuses these parameters: ${error.message}`,
      `change the value in release.yml (targets.${target.name}.parameters) or the --version, or the constraint in the template; nothing was changed`,
    )
  }
}

/**
 * The account's own check of the template (CloudFormation's ValidateTemplate) before anything is
 * created: a template CloudFormation would refuse is a configuration error, exit 2.
 */
async function checkTemplate(account: Account, target: ImmutableTargetConfig): Promise<void> {
  let summary
  try {
    summary = await account.stacks.validateTemplate(target.templateBody)
  } catch (error) {
    throw new UserError(
      'E_TEMPLATE',
      `CloudFormation refused the template of ${target.name} (${target.templatePath}): ${(error as Error).message}`,
      'fix the template; nothing was changed',
    )
  }
  const declared = new Set(summary.parameters.map((p) => p.key))
  const missing = [target.versionParameter, ...Object.keys(target.parameters)].filter((key) => !declared.has(key))
  if (missing.length > 0) {
    throw new UserError(
      'E_TEMPLATE',
      `the template of ${target.name} (${target.templatePath}) has no parameter ${missing.join(', ')}`,
      `declare ${missing.join(', ')} under Parameters in the template, or remove them from the target in release.yml`,
    )
  }
}
