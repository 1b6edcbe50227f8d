/**
 * What `release status` and `release history` show: read from the ledger and the leases only, never
 * the account, so they answer at once; with the file state backend they never load the AWS SDK.
 */
import {targetOrError} from '../config/targets.js'
import {readAbortRequest, type AbortRequest} from '../engine/abort-request.js'
import {isStale, readLease} from '../engine/lease.js'
import {lastKnownGoodOf, type ReleaseRecord} from '../engine/ledger.js'
import type {Outcome, ReleaseKind, StrategyName} from '../ports/release.js'
import {warmGroupOf, warmPeriodOver} from './warm.js'
import type {Workspace} from './workspace.js'

export interface ReleaseView {
  id: string
  version: string
  strategy: StrategyName
  kind: ReleaseKind
  state: string
  outcome: Outcome
  previousVersion: string | null
  startedAt: string
  endedAt: string | null
  message: string | null
}

export interface LockView {
  holder: string
  releaseId: string
  since: string
  expires: string
  /** Expired, or its holder ran on this host and is gone: the next release takes it over by itself. */
  stale: boolean
}

export interface StatusView {
  target: string
  liveVersion: string | null
  lastKnownGood: string | null
  release: ReleaseView | null
  lock: LockView | null
  /**
   * The release is in progress but no live lease is held for it (its process died: a crash, a cancelled
   * CI job, a closed laptop): nothing will move it until `release resume <target>`.
   */
  interrupted: boolean
  /**
   * A person asked (`release abort`) to send the in-progress release back, and it has not ended yet:
   * who, when and why. The process driving it goes back at its next look; an interrupted one at
   * `release resume`. Null otherwise.
   */
  abortRequested: AbortRequest | null
  /**
   * The group the newest success kept warm (keepWarm), until when, and whether that time has passed
   * (then the next command holding the lease, or `release tidy`, scales it to zero); null when none.
   */
  warm: {group: string; until: string; over: boolean} | null
}

export function releaseView(record: ReleaseRecord): ReleaseView {
  return {
    id: record.id,
    version: record.version,
    strategy: record.strategy,
    kind: record.kind,
    state: record.state,
    outcome: record.outcome,
    previousVersion: record.previousVersion,
    startedAt: record.startedAt,
    endedAt: record.endedAt ?? null,
    message: record.message ?? null,
  }
}

export async function statusOf(ws: Workspace, targetName: string): Promise<StatusView> {
  const target = targetOrError(ws.config, targetName)
  // The lease before the ledger: a release that ends between the two reads must not look interrupted
  // (its lease is taken before the ledger shows it running and given back after it ended).
  // One read each (on DynamoDB one Query each): this target's lease, then its ledger.
  const lease = await readLease(ws.store, target.name)
  const ledger = await ws.ledger.read(target.name)
  const lastKnownGood = lastKnownGoodOf(ledger)
  const current = ledger.releases.at(-1)
  const stale = lease ? isStale(lease, ws.now()) : false
  const warm = warmGroupOf(ledger)
  // Only a release still in progress can have a request pending: one more read then, none otherwise.
  const abortRequested = current?.outcome === 'inProgress' ? ((await readAbortRequest(ws.store, current.id)) ?? null) : null
  return {
    target: target.name,
    liveVersion: ledger.liveVersion,
    lastKnownGood: lastKnownGood ?? null,
    release: current ? releaseView(current) : null,
    lock: lease
      ? {holder: lease.holder, releaseId: lease.releaseId, since: lease.since, expires: lease.expires, stale}
      : null,
    interrupted: current?.outcome === 'inProgress' && !(lease && lease.releaseId === current.id && !stale),
    abortRequested,
    warm: warm ? {group: warm.group, until: warm.until, over: warmPeriodOver(warm, ws.now())} : null,
  }
}

/** Every target of release.yml, in the order the file lists them. */
export async function statusOfAll(ws: Workspace): Promise<StatusView[]> {
  return Promise.all(Object.keys(ws.config.targets).map((name) => statusOf(ws, name)))
}

/** Newest first. */
export async function historyOf(ws: Workspace, targetName: string): Promise<ReleaseView[]> {
  const target = targetOrError(ws.config, targetName)
  const ledger = await ws.ledger.read(target.name)
  return [...ledger.releases].reverse().map(releaseView)
}

/**
 * `release status` without a target or --env when release.yml has environments: every target of
 * every environment, the on-demand copies after those of release.yml, each marked with its environment.
 */
export async function statusOfEveryEnvironment(ws: Workspace): Promise<(StatusView & {environment: string})[]> {
  const whole = ws.whole ?? ws.config
  const [{openWorkspace}, {listRecords}, {openStateStore}] = await Promise.all([import('./workspace.js'), import('./environments/record.js'), import('../store/open.js')])
  const names = [...Object.keys(whole.environments ?? {}), ...(await listRecords(await openStateStore(whole))).map((r) => r.name)]
  const all: (StatusView & {environment: string})[] = []
  for (const environment of names) {
    const env = await openWorkspace({configPath: whole.file, cwd: whole.dir, env: environment, readOnly: true})
    for (const status of await statusOfAll({...env, now: ws.now})) all.push({environment, ...status})
  }
  return all
}
