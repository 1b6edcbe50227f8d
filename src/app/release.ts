/**
 * Rollout, rollback and resume: one release of one target, whatever its strategy, from the checks
 * that refuse bad input before anything changes, through the persisted machine, to the ledger's verdict.
 */
import {targetOrError, validateVersion, type TargetConfig} from '../config/index.js'
import {appendJournal} from '../engine/journal.js'
import {acquireLease, type Lease} from '../engine/lease.js'
import type {ReleaseRecord} from '../engine/ledger.js'
import {loadResumableSnapshot, loadSnapshot, runPersisted} from '../engine/runner.js'
import {isGateState} from '../../machines/common.js'
import {UserError} from '../errors.js'
import {exitCodeFor, type Outcome, type ProgressEvent} from '../ports/release.js'
import {openAccount, type Account, type AccountOverrides} from './account.js'
import {kindFor, type ReleaseKind} from './kinds/index.js'
import {checkAgainstAccount} from './preflight.js'
import type {Workspace} from './workspace.js'

/** A lease outlives a crashed holder by at most this long; a running release renews it well before. */
const LEASE_TTL_MS = 5 * 60_000

export interface ReleaseRequest {
  target: string
  version: string
  kind: 'rollout' | 'rollback'
  /** Rollout of the version already live, on purpose (a re-release); refused without it. */
  force?: boolean
  /** A group serving the target's traffic sources that the ledger does not know, to take over. */
  adopt?: string
  /** Rollback without bake or gates. */
  emergency?: boolean
}

export interface ReleaseHooks {
  onStart?: (record: ReleaseRecord, how: {resumed: boolean; as?: 'resumed' | 'promoted' | 'aborted'}) => void
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

async function runRelease(
  ws: Workspace,
  request: ReleaseRequest,
  hooks: ReleaseHooks,
  overrides: AccountOverrides,
): Promise<ReleaseResult> {
  const target = targetOrError(ws.config, request.target)
  const version = validateVersion(request.version)
  const kind = kindFor(target)
  // The id the ledger will give this release: under the lease nobody else can take it first.
  const releaseId = `${target.name}-${(await ws.ledger.read(target.name)).releases.length + 1}`
  const lease = await acquireLease(ws.store, target.name, {releaseId, ttlMs: LEASE_TTL_MS, now: ws.now})
  try {
    await refuseInterrupted(ws, target.name)
    const account = await openAccount(ws.config, overrides)
    await kind.preflight(account, version)
    const options = await checkAgainstAccount(ws, account, target, {...request, version})
    const record = await ws.ledger.begin(target.name, {version, strategy: kind.strategy, kind: request.kind})
    hooks.onStart?.(record, {resumed: false})
    return await drive(ws, account, kind, target, record, {input: await kind.input(ws, record, options)}, lease, hooks)
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
  if (current?.outcome === 'paused') {
    throw new UserError(
      'E_PAUSED',
      `${current.id} is not interrupted: it waits at the gate ${current.state}`,
      `continue it with release promote ${target.name}, or send it back with release abort ${target.name}`,
    )
  }
  if (!current || current.outcome !== 'inProgress') {
    throw new UserError(
      'E_NOTHING_TO_RESUME',
      current
        ? `the latest release of ${target.name} (${current.id}) is not interrupted: it ended ${current.outcome}`
        : `${target.name} has no release to resume`,
      `see release status ${target.name}`,
    )
  }
  return continueFromSnapshot(ws, target, current, undefined, hooks, overrides)
}

/** Continues a release waiting at a gate to the end, from any process (a later CI job on the same state). */
export async function promote(ws: Workspace, request: {target: string}, hooks: ReleaseHooks = {}, overrides: AccountOverrides = {}) {
  const {target, current} = await pausedRelease(ws, request.target)
  return continueFromSnapshot(ws, target, current, {type: 'PROMOTE'}, hooks, overrides)
}

/** Sends a release waiting at a gate back: it ends `aborted` (exit 3) with the previous version live. */
export async function abort(
  ws: Workspace,
  request: {target: string; reason?: string},
  hooks: ReleaseHooks = {},
  overrides: AccountOverrides = {},
) {
  const {target, current} = await pausedRelease(ws, request.target)
  const reason = request.reason?.trim() || 'aborted by a person'
  return continueFromSnapshot(ws, target, current, {type: 'ABORT', reason}, hooks, overrides)
}

async function pausedRelease(ws: Workspace, targetName: string) {
  const target = targetOrError(ws.config, targetName)
  const current = await ws.ledger.current(target.name)
  if (!current || current.outcome !== 'paused') {
    throw new UserError(
      'E_NOT_PAUSED',
      current
        ? `the latest release of ${target.name} (${current.id}) is not waiting at a gate: ${current.outcome === 'inProgress' ? `it is in progress at ${current.state}` : `it ended ${current.outcome}`}`
        : `${target.name} has no release`,
      current?.outcome === 'inProgress' ? `wait for it to reach its gate: release wait ${target.name} --for paused` : `see release status ${target.name}`,
    )
  }
  return {target, current}
}

async function continueFromSnapshot(
  ws: Workspace,
  target: TargetConfig,
  current: ReleaseRecord,
  send: {type: string; reason?: string} | undefined,
  hooks: ReleaseHooks,
  overrides: AccountOverrides,
): Promise<ReleaseResult> {
  const kind = kindFor(target)
  if (kind.strategy !== current.strategy) {
    throw new UserError(
      'E_STRATEGY_CHANGED',
      `${current.id} was started as an ${current.strategy} release, but release.yml now says ${kind.strategy} for ${target.name}`,
      `restore the target's strategy in release.yml to continue it`,
    )
  }
  const lease = await acquireLease(ws.store, target.name, {releaseId: current.id, ttlMs: LEASE_TTL_MS, now: ws.now})
  try {
    // A process that died before its first snapshot had only begun planning, which changes nothing: start over.
    const start = (await loadSnapshot(ws.store, current.id))
      ? {snapshot: await loadResumableSnapshot(ws.store, current.id, kind.machine, kind.machineVersion), send}
      : {input: await kind.input(ws, current)}
    const account = await openAccount(ws.config, overrides)
    // The gate's 'waits at the gate' message no longer holds once the release moves on.
    const running = await ws.ledger.update(target.name, current.id, {outcome: 'inProgress', message: undefined})
    hooks.onStart?.(running, {resumed: true, as: send ? (send.type === 'PROMOTE' ? 'promoted' : 'aborted') : 'resumed'})
    return await drive(ws, account, kind, target, running, start, lease, hooks)
  } finally {
    await lease.release()
  }
}

async function drive(
  ws: Workspace,
  account: Account,
  kind: ReleaseKind,
  target: TargetConfig,
  record: ReleaseRecord,
  start: {input: unknown} | {snapshot: unknown; send?: {type: string; reason?: string}},
  lease: Lease,
  hooks: ReleaseHooks,
): Promise<ReleaseResult> {
  // Progress lines go to the journal one after another, in the order the steps reported them.
  let progressWrites: Promise<unknown> = Promise.resolve()
  let lastJournaled = ''
  const report = (event: ProgressEvent) => {
    hooks.onProgress?.(event)
    // A poll that finds nothing new reports the same line again: the journal keeps it once.
    const line = `${event.step}\u0000${event.message}`
    if (line === lastJournaled) return
    lastJournaled = line
    progressWrites = progressWrites
      .then(() => appendJournal(ws.store, record.id, {type: 'progress', state: event.step, message: event.message, now: ws.now}))
      .catch(() => undefined)
  }
  const machine = kind.bind({ws, account, record, report})
  const renewal = setInterval(() => void lease.renew().catch(() => undefined), LEASE_TTL_MS / 3)
  renewal.unref()
  try {
    const result = await runPersisted({
      machine,
      ...start,
      releaseId: record.id,
      store: ws.store,
      machineVersion: kind.machineVersion,
      now: ws.now,
      pauseAt: isGateState,
      onTransition: async (state, context) => {
        const updated = await ws.ledger.update(target.name, record.id, {state, details: kind.details(context)})
        await lease.renew()
        hooks.onTransition?.(state, updated)
        crashForTest(state)
      },
    })
    await progressWrites
    if (result.status === 'paused') {
      const message = `${record.id} waits at the gate ${result.state}: continue it with release promote ${target.name}, or send it back with release abort ${target.name}`
      const paused = await ws.ledger.update(target.name, record.id, {state: result.state, outcome: 'paused', message, details: kind.details(result.context)})
      return {record: paused, outcome: 'paused', message, exitCode: exitCodeFor('paused')}
    }
    const outcome: Outcome = result.status === 'error' ? 'failed' : outcomeOf(result.state, result.context)
    const message =
      result.status === 'error'
        ? `${record.id} stopped on an internal error: ${(result.error as Error)?.message ?? 'unknown'}. Check the account before another release; see release history ${target.name}.`
        : kind.summarize(record, outcome, result.context)
    const finished = await ws.ledger.finish(target.name, record.id, {
      state: result.state,
      outcome,
      message,
      details: kind.details(result.context),
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

function outcomeOf(state: string, context: {abort?: unknown} | undefined): Outcome {
  if (state === 'succeeded') return 'succeeded'
  if (state === 'rolledBack') return context?.abort ? 'aborted' : 'rolledBack'
  return 'failed'
}

function succeededVersions(releases: ReleaseRecord[]): string[] {
  return [...new Set([...releases].reverse().filter((r) => r.outcome === 'succeeded').map((r) => r.version))]
}

/** A release that died mid-way must be resumed (or settled) before another one starts on the target. */
async function refuseInterrupted(ws: Workspace, target: string): Promise<void> {
  const current = await ws.ledger.current(target)
  if (current?.outcome === 'paused') {
    throw new UserError(
      'E_PAUSED',
      `release ${current.id} of ${target} (version ${current.version}) waits at the gate ${current.state}`,
      `finish it first: release promote ${target}, or release abort ${target}`,
    )
  }
  if (current && current.outcome === 'inProgress') {
    throw new UserError(
      'E_INTERRUPTED',
      `release ${current.id} of ${target} (version ${current.version}) was interrupted at ${current.state}`,
      `continue it with: release resume ${target}`,
    )
  }
}
