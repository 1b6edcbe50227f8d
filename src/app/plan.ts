/**
 * `release plan`: what a rollout would do, changing nothing. It reads the ledger and the account:
 * describe and list calls, and the drift check a rollout makes first (CloudFormation drift detection,
 * the target's read-only `current` lines on the instances). It never takes the lease.
 */
import {resourceName} from '../config/environments.js'
import {resolveAmount, windowSize} from '../../strategies/incremental/index.js'
import {fleetMembers} from '../../strategies/incremental/fleet.js'
import {retention} from '../../strategies/immutable/retire.js'
import {chooseStack} from '../../strategies/immutable/plan.js'
import {TAG} from '../../strategies/immutable/index.js'
import {immutableHealthSignals, type HealthSignals} from '../../strategies/immutable/health.js'
import {incrementalHealthSignals} from '../../strategies/incremental/health.js'
import {passingMs} from '../../strategies/instance-health.js'
import type {TargetLedger} from '../engine/ledger.js'
import {lastKnownGoodStack, liveStack} from './kinds/immutable.js'
import {reconcile, decide, type ServingGroup} from './reconcile.js'
import {UserError} from '../errors.js'
import {targetOrError, validateVersion, type ImmutableTargetConfig, type IncrementalTargetConfig} from '../config/index.js'
import {openAccount, type Account, type AccountOverrides} from './account.js'
import {strategyRunner} from './kinds/index.js'
import {incrementalDeps} from './kinds/incremental.js'
import {associationName} from './enforce.js'
import {groupHealthCheckType} from './kinds/immutable.js'
import type {Workspace} from './workspace.js'
import {checkDrift} from './drift-check.js'
import type {DriftFinding} from './drift.js'

export interface ReleasePlan {
  target: string
  version: string
  strategy: 'immutable' | 'incremental'
  /** Why this strategy: declared, or chosen by durability (naming the durable resources). */
  reason: string
  declared: 'immutable' | 'incremental' | 'auto'
  durable: {logicalId: string; type: string; why: string}[]
  liveVersion: string | null
  steps: {state: string; does: string}[]
  immutable?: {
    createStack: string | null
    reuseStack: string | null
    keep: string[]
    delete: string[]
    trafficSources: string[]
    /** The longest deregistration delay of the traffic sources: the old group's targets drain this long during the shift. */
    deregistrationDelaySeconds: number
    /** Every group attached to the traffic sources now, as the account says, and what the ledger makes of it. */
    serving: ServingGroup[]
    /** Stacks of the target the ledger does not know (a lost or partial ledger). */
    untrackedStacks: {name: string; version: string}[]
    /** Why a rollout would be refused as things stand (with the way out), if it would. */
    refusal: string | null
  }
  /** What would notice a bad version (verify commands, ELB target health, EC2 status checks), and a warning when nothing would. */
  health?: HealthSignals
  incremental?: {fleet: string; instances: number; window: number; canary: number; maxErrors: number; windows: number; order: string[]}
  /** A rough duration, from typical AWS timings and the target's bake; not a promise. */
  estimateSeconds: number
  /**
   * Drift of what is live, as `release drift` finds it (null: nothing live yet), and what the target's
   * `drift` key makes a rollout do with it.
   */
  drift: {policy: 'warn' | 'refuse'; inSync: boolean | null; findings: DriftFinding[]; lines: string[]; error?: string} | null
}

export async function planRelease(
  ws: Workspace,
  request: {target: string; version: string; adopt?: string},
  overrides: AccountOverrides = {},
): Promise<ReleasePlan> {
  const target = targetOrError(ws.config, request.target)
  const version = validateVersion(request.version)
  const account = await openAccount(ws.config, overrides)
  await strategyRunner(target).preflight(account, version)
  const ledger = await ws.ledger.read(target.name)
  const check = await checkDrift(ws, account, target)
  const drift =
    ledger.liveVersion === null
      ? null
      : {policy: target.drift, inSync: check.report?.inSync ?? null, findings: check.report?.findings ?? [], lines: check.lines, ...(check.error !== undefined ? {error: check.error} : {})}
  const base = {
    drift,
    target: target.name,
    version,
    strategy: target.strategy,
    reason: target.choice.reason,
    declared: target.choice.declared,
    durable: target.choice.durable,
    liveVersion: ledger.liveVersion,
  }
  if (target.strategy === 'immutable') {
    return {...base, ...(await planImmutable(account, target, version, ledger, ws.ledger.nextId(ledger), request.adopt))}
  }
  // The drift check above already looked for an association a removed `enforce:` left (one ListAssociations).
  const left = drift?.findings.find((f) => f.kind === 'associationLeftOver')
  return {...base, ...(await planIncremental(account, target, left?.association))}
}

async function planImmutable(account: Account, target: ImmutableTargetConfig, version: string, ledger: TargetLedger, releaseId: string, adopt?: string) {
  // The same id (the ledger's next), the same stack choice and the same retention rule as the rollout (strategies/immutable).
  const previous = liveStack(ledger)
  const stacks = await account.stacks.listStacksByTag(TAG.target, resourceName(target))
  const chosen = chooseStack(stacks, {version, releaseId, previousStack: previous?.stackName ?? null})
  const reuse = chosen.reused ? chosen : null
  const newName = chosen.name
  const {keep, remove} = retention(
    stacks.filter((s) => s.name !== newName),
    target.retain,
    {previous, keepFirst: lastKnownGoodStack(ledger, version)},
  )
  const {found} = await account.targets.describeTargetGroups(target.trafficSources)
  const drainSeconds = Math.max(0, ...found.map((tg) => tg.deregistrationDelaySeconds))
  const rec = await reconcile(account, target, ledger)
  let refusal: string | null = null
  if (version === ledger.liveVersion) refusal = `${version} is already live: a rollout needs --force`
  try {
    decide(rec, target.name, {adopt})
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    refusal = `${error.message}. Next: ${error.hint}`
  }
  const steps = [
    {state: 'planning', does: 'find the live group; choose a new or a retained stack'},
    {state: 'provisioning', does: reuse ? `scale retained stack ${reuse.name} back up` : `create stack ${newName} from ${target.templatePath}`},
    {state: 'awaitingCapacity', does: 'wait until every new instance is InService and healthy'},
    {state: 'verifying', does: target.verify ? `run the smoke check (${target.verify.commands.length} commands) on every new instance` : 'health checks only (no smoke check configured)'},
    {
      state: 'shifting',
      does:
        `attach the new group to ${target.trafficSources.length} traffic sources, wait until its targets are healthy, then detach the old one` +
        (drainSeconds > 0 ? ` (its targets drain for ${drainSeconds}s: the deregistration delay, added to the shift timeout)` : ''),
    },
    {state: 'baking', does: `watch the new group for ${target.bakeMs / 1000}s; the old group stays running`},
    {state: 'retiring', does: `scale the old group to zero; keep ${keep.map((s) => s.name).join(', ') || 'nothing'}; delete ${remove.map((s) => s.name).join(', ') || 'nothing'}`},
  ]
  // Typical AWS timings: a stack of a launch template and a group ~1 min, boot ~1 min, attach ~30 s.
  const estimateSeconds = (reuse ? 0 : 60) + 60 + (target.verify ? 30 : 0) + 60 + drainSeconds + target.bakeMs / 1000 + 60
  return {
    steps,
    immutable: {
      createStack: reuse ? null : newName,
      reuseStack: reuse?.name ?? null,
      keep: keep.map((s) => s.name),
      delete: remove.map((s) => s.name),
      trafficSources: target.trafficSources,
      deregistrationDelaySeconds: drainSeconds,
      serving: rec.serving,
      untrackedStacks: rec.untrackedStacks,
      refusal,
    },
    health: immutableHealthSignals({...target, healthCheckType: groupHealthCheckType(target.templateBody)}),
    estimateSeconds: Math.round(estimateSeconds),
  }
}

/** `leftAssociation`: the name of an association an `enforce:` taken out of release.yml left, which the release deletes. */
async function planIncremental(account: Account, target: IncrementalTargetConfig, leftAssociation?: string) {
  const members = await fleetMembers(incrementalDeps(account, target, () => undefined))
  const n = members.instanceIds.length
  const window = windowSize(target.maxUnavailable, n)
  const canary = Math.min(target.canary, n)
  const windows = (canary > 0 ? 1 : 0) + Math.ceil((n - canary) / window)
  const fleet = 'group' in target.fleet ? `group ${target.fleet.group}` : `instances tagged ${JSON.stringify(target.fleet.tags)}`
  const steps = [
    {
      state: 'planning',
      does: `record the version of each of ${n} instances; publish the desired version in Parameter Store${leftAssociation ? `; delete the State Manager association ${leftAssociation} left by an earlier enforce: (no longer in release.yml)` : ''}`,
    },
    ...(canary > 0 ? [{state: 'canary', does: `change ${canary} instance${canary > 1 ? 's' : ''} first`}] : []),
    {state: 'rolling', does: `change the other ${n - canary} in a sliding window of ${window}${members.standby ? ' (each in Standby while it changes)' : ''}`},
    {
      state: 'baking',
      does: `watch the fleet for ${target.bakeMs / 1000}s${target.enforce ? `; on success, move the State Manager association ${associationName(target)} (${target.enforce.schedule}) to this version` : ''}`,
    },
  ]
  // Typical per instance: Standby in and out ~20 s, the change ~90 s, the health checks; windows overlap (sliding), so
  // the estimate is the fleet's total work spread over the window, plus the canary and the bake.
  // Back from Standby, an instance waits for the load balancer's HealthyThresholdCount passed checks.
  const groups = members.targetGroups.length > 0 ? (await account.targets.describeTargetGroups(members.targetGroups)).found : []
  const healthSeconds = passingMs(groups) / 1000
  const perInstance = (members.standby ? 20 + healthSeconds : 0) + 90
  const estimateSeconds = perInstance * (canary > 0 ? 1 : 0) + (perInstance * (n - canary)) / window + target.bakeMs / 1000
  return {
    steps,
    incremental: {fleet, instances: n, window, canary, maxErrors: resolveAmount(target.maxErrors, n), windows, order: members.instanceIds},
    health: incrementalHealthSignals({document: target.change.document, verify: target.change.verify, targetGroups: members.targetGroups}),
    estimateSeconds: Math.round(estimateSeconds),
  }
}
