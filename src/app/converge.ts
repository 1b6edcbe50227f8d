/**
 * `release converge`: a drifted target brought back to what the ledger says is live.
 *
 * Incremental targets: the live version re-applied to the drifted instances alone, as a release of
 * kind `converge` through the same machine as a rollout (window, verify, rollback, persisted and
 * resumable), its plan narrowed to those instances.
 *
 * Immutable targets: what the drift calls for. Retained groups scaled back to zero; instances of the
 * live group on another version replaced (the group relaunches them from its launch template); a
 * drifted live stack, or a live group that no longer serves, replaced by rolling the live version out
 * anew (a release of kind `converge`). What cannot be converged safely (a drifted resource holding
 * data, a group serving that release does not own) is reported with the remedy, exit 1.
 */
import {chooseStrategy} from '../../strategies/choose.js'
import {fleetMembers} from '../../strategies/incremental/fleet.js'
import {targetOrError, type ImmutableTargetConfig, type IncrementalTargetConfig} from '../config/index.js'
import {acquireLease} from '../engine/lease.js'
import {UserError} from '../errors.js'
import {EXIT} from '../ports/release.js'
import {parseTemplate} from '../template/index.js'
import {pollUntil} from '../util/poll.js'
import {openAccount, type Account, type AccountOverrides} from './account.js'
import {driftOf, findingText, type DriftFinding, type DriftReport} from './drift.js'
import {enforceText, enforceVersion} from './enforce.js'
import {incrementalDeps} from './kinds/incremental.js'
import {leaseTtlMs} from './lease-ttl.js'
import type {ReleaseHooks, ReleaseResult} from './release-request.js'
import {refuseInterrupted} from './release-to-act-on.js'
import {runRelease} from './start-release.js'
import type {Workspace} from './workspace.js'

export interface ConvergeResult {
  target: string
  /** The drift found before anything was done. */
  before: DriftReport
  /** What was done, one line each. */
  actions: string[]
  /** Drift left alone because converging it is not safe, each with what a person should do. */
  unsafe: {finding: string; remedy: string}[]
  /** The release of kind `converge` it ran, if it ran one. */
  release?: {id: string; outcome: string}
  message: string
  exitCode: number
}

/** How often a group is looked at while replacements launch. */
const GROUP_POLL_MS = 5_000

export async function converge(ws: Workspace, request: {target: string}, hooks: ReleaseHooks = {}, overrides: AccountOverrides = {}): Promise<ConvergeResult> {
  // Bad input first, nothing changed: an unknown target, nothing live, a release in the way.
  const target = targetOrError(ws.config, request.target)
  const ledger = await ws.ledger.read(target.name)
  if (ledger.liveVersion === null) {
    throw new UserError('E_NO_LIVE_VERSION', `${target.name} has no live version yet: there is nothing to converge to`, `roll one out first: release rollout ${target.name} --version <version>`)
  }
  const liveVersion = ledger.liveVersion
  // The lease is taken while drift is read and the direct fixes are made: a release holding the
  // target is exit 4, and nothing else changes the target meanwhile. A converge that needs a release
  // gives the lease back and takes it again in runRelease (another taking it in between is exit 4 there).
  const lease = await acquireLease(ws.store, target.name, {releaseId: `${target.name}-converge`, ttlMs: leaseTtlMs(), now: ws.now})
  let account: Account
  let before: DriftReport
  let plan: Plan
  try {
    await refuseInterrupted(ws, target.name)
    account = await openAccount(ws.config, overrides)
    before = await driftOf(ws, account, target)
    if (before.inSync) {
      return {target: target.name, before, actions: [], unsafe: [], message: `${target.name} is in sync with ${before.desiredVersion}: nothing to converge`, exitCode: EXIT.succeeded}
    }
    plan = target.strategy === 'incremental' ? await convergeIncremental(account, target, before, hooks) : await convergeImmutableDirectly(account, target, before, hooks)
  } finally {
    await lease.release()
  }
  const {actions, unsafe} = plan
  let release: ReleaseResult | undefined
  if (plan.release) {
    const sim = account.sim ?? overrides.sim
    release = await runRelease(ws, {target: target.name, version: liveVersion, kind: 'converge', force: true, ...plan.release}, hooks, {...overrides, ...(sim ? {sim} : {})})
    actions.push(`${release.record.id}: ${release.message}`)
  }
  const failed = release !== undefined && release.exitCode !== EXIT.succeeded ? release : undefined
  const exitCode = failed ? failed.exitCode : unsafe.length > 0 ? EXIT.failed : plan.leftDrifted ? EXIT.drifted : EXIT.succeeded
  const message =
    exitCode === EXIT.succeeded
      ? `${target.name} converged on ${before.desiredVersion}: run release drift ${target.name} to see it in sync`
      : failed
        ? `${target.name} did not converge: ${failed.message}`
        : unsafe.length > 0
          ? `${target.name} is still drifted: ${unsafe.length} finding${unsafe.length === 1 ? '' : 's'} cannot be converged safely by release; see the remedies`
          : `${target.name} is still drifted: ${plan.leftDrifted}`
  return {target: target.name, before, actions, unsafe, ...(release ? {release: {id: release.record.id, outcome: release.outcome}} : {}), message, exitCode}
}

interface Plan {
  actions: string[]
  unsafe: {finding: string; remedy: string}[]
  /** A release of kind converge to run once the lease is given back. */
  release?: {instances?: string[]; fleet?: string[]}
  /** Drift that neither a fix nor a release removes, and is not unsafe either (said, exit 6). */
  leftDrifted?: string
}

/** A fix made under the lease, without a release: said as it is made, and listed in the result. */
function sayer(target: string, hooks: ReleaseHooks, actions: string[]): (message: string) => void {
  return (message) => {
    actions.push(message)
    hooks.onProgress?.({releaseId: `${target}-converge`, state: 'converge', message})
  }
}

/**
 * An incremental target: its State Manager association put back on the live version (or deleted,
 * when `enforce:` was taken out) directly, under the lease; the drifted instances still in the fleet
 * get the live version again, through a release of kind converge.
 */
async function convergeIncremental(account: Account, target: IncrementalTargetConfig, before: DriftReport, hooks: ReleaseHooks): Promise<Plan> {
  const actions: string[] = []
  const say = sayer(target.name, hooks, actions)
  const kinds = new Set(before.findings.map((f) => f.kind))
  if (kinds.has('associationMissing') || kinds.has('associationBehind') || kinds.has('associationLeftOver')) {
    const enforced = await enforceVersion(account.associations, target, before.desiredVersion)
    if (enforced && enforced.action !== 'unchanged') say(enforceText(target.name, enforced))
  }
  const drifted = before.findings.flatMap((f) => (f.kind === 'instanceVersion' ? [f.instance] : []))
  const missing = before.findings.flatMap((f) => (f.kind === 'instanceMissing' ? [f.instance] : []))
  // A failed run of the association on an instance that runs the live version: nothing to re-apply.
  const failedRuns = before.findings.flatMap((f) => (f.kind === 'associationNonCompliant' && !drifted.includes(f.instance) ? [`${f.instance} (${f.status})`] : []))
  const fleet = missing.length > 0 || drifted.length > 0 ? (await fleetMembers(incrementalDeps(account, target, () => undefined))).instanceIds : []
  if (missing.length > 0) actions.push(`${missing.join(', ')} left the fleet: the fleet as it is now (${fleet.length} instances) is what later drift checks compare against`)
  const left = [
    ...(missing.length > 0 && drifted.length === 0
      ? [`${missing.join(', ')} left the fleet; its group relaunches what it needs, or roll out again (release rollout ${target.name} --version ${before.desiredVersion} --force) to record the fleet as it is`]
      : []),
    ...(failedRuns.length > 0 ? [`the last run of the State Manager association failed on ${failedRuns.join(', ')}, which run the live version; its next scheduled run tries again (its output: release drift ${target.name} --json)`] : []),
  ]
  const leftDrifted = left.length > 0 ? {leftDrifted: left.join('; ')} : {}
  if (drifted.length === 0) return {actions, unsafe: [], ...leftDrifted}
  actions.push(`re-apply ${before.desiredVersion} to ${drifted.length} drifted instance${drifted.length === 1 ? '' : 's'}: ${drifted.join(', ')}`)
  return {actions, unsafe: [], release: {instances: drifted, fleet}, ...leftDrifted}
}

/**
 * The fixes an immutable target's drift calls for that need no release, made under the lease; a
 * drifted stack or a live group that does not serve asks for the live version rolled out anew.
 */
async function convergeImmutableDirectly(account: Account, target: ImmutableTargetConfig, before: DriftReport, hooks: ReleaseHooks): Promise<Plan> {
  const actions: string[] = []
  const unsafe: Plan['unsafe'] = []
  const say = sayer(target.name, hooks, actions)
  const findings = before.findings
  for (const f of findings) {
    // A group of a release of this target that ended (no release is in flight: refused above) is
    // release's own retained group: taken off the traffic sources, then scaled down below.
    if (f.kind === 'extraServing' && f.role === 'inFlight') {
      await account.fleet.detachTrafficSources(f.group, target.trafficSources)
      say(`retained group ${f.group} (version ${f.version}) detached from ${target.trafficSources.join(', ')}`)
    }
  }
  for (const f of findings) {
    if (f.kind === 'retainedScaledUp') {
      const group = await account.fleet.describeGroup(f.group)
      if (group && group.desired > 0) await account.fleet.setCapacity(f.group, {min: 0, max: group.max, desired: 0})
      say(`retained group ${f.group} scaled back to zero (it ran ${f.desired})`)
    }
    if (f.kind === 'extraServing' && f.role !== 'inFlight') {
      unsafe.push({
        finding: findingText(f),
        remedy: `release does not own ${f.group}: detach it from the traffic sources (aws autoscaling detach-traffic-sources --auto-scaling-group-name ${f.group} --traffic-sources Identifier=...), or take it over with release rollout ${target.name} --version <version> --adopt ${f.group}`,
      })
    }
  }
  const stackDrift = findings.filter((f): f is Extract<DriftFinding, {kind: 'stackResource'}> => f.kind === 'stackResource')
  const durable = durableDrift(target, stackDrift)
  for (const f of durable) {
    unsafe.push({
      finding: findingText(f),
      remedy: `${f.logicalId} holds data, so rolling ${before.desiredVersion} out anew would replace it: set ${f.property ?? 'it'} back to ${f.expected ?? "the template's value"} by hand, or change the template to ${f.actual ?? 'what it is now'} and roll out a new version`,
    })
  }
  const liveNotServing = findings.some((f) => f.kind === 'liveNotServing')
  if ((stackDrift.length > 0 || liveNotServing) && durable.length === 0) {
    const changed = stackDrift[0]
    const why = changed ? `stack ${changed.stack} was changed outside CloudFormation` : 'the live group does not serve the traffic sources'
    say(`${why}: ${before.desiredVersion} is rolled out anew from the template (a new stack; the drifted one is retired)`)
    // The new stack's instances all run the live version: no instance needs replacing first.
    return {actions, unsafe, release: {}}
  }
  const stray = findings.flatMap((f) => (f.kind === 'instanceVersion' ? [f.instance] : []))
  if (stray.length > 0) await replaceInstances(account, target, stray, say)
  return {actions, unsafe}
}

/** Stack resources drifted that hold data (chooseStrategy's rule): a new stack would replace them. */
function durableDrift(target: ImmutableTargetConfig, drifts: Extract<DriftFinding, {kind: 'stackResource'}>[]) {
  if (drifts.length === 0) return []
  let resources: Record<string, {Type: string; DeletionPolicy?: string}> = {}
  try {
    resources = parseTemplate(target.templateBody).Resources ?? {}
  } catch {
    // A template that no longer parses is refused by the rollout itself, with its own message.
  }
  const held = new Set(chooseStrategy(Object.fromEntries(drifts.map((d) => [d.logicalId, resources[d.logicalId] ?? {Type: d.type}]))).durable.map((d) => d.logicalId))
  return drifts.filter((d) => held.has(d.logicalId))
}

/**
 * Instances of the live group on another version: terminated without lowering the desired capacity,
 * so the group launches replacements from its template, at most half the group at a time so that
 * the rest keeps serving; each batch waits until its replacements are in service.
 */
async function replaceInstances(account: Account, target: ImmutableTargetConfig, instances: string[], say: (line: string) => void): Promise<void> {
  const [first] = instances
  if (first === undefined) return
  const groupName = await liveGroupOf(account, first)
  if (!groupName) throw new Error(`no Auto Scaling group holds ${first}`)
  const group = await account.fleet.describeGroup(groupName)
  const batch = Math.max(1, Math.floor((group?.desired ?? 1) / 2))
  for (let i = 0; i < instances.length; i += batch) {
    const some = instances.slice(i, i + batch)
    for (const id of some) await account.fleet.replaceInstance(id)
    say(`replaced ${some.join(', ')} in ${groupName}: the group relaunches ${some.length === 1 ? 'it' : 'them'} from its launch template`)
    await pollUntil(
      async () => {
        const now = await account.fleet.describeGroup(groupName)
        if (!now) return undefined
        const serving = now.instances.filter((x) => x.lifecycle === 'InService' && x.health === 'Healthy' && !some.includes(x.id))
        return serving.length >= now.desired ? true : undefined
      },
      {clock: account.clock, deadline: account.clock.now() + target.timeouts.capacityMs, intervalMs: GROUP_POLL_MS, maxIntervalMs: GROUP_POLL_MS * 3, what: `the replacements of ${some.join(', ')} in ${groupName}`},
    )
  }
}

/** The group an instance belongs to: the live stack's group holds every instance drift found. */
async function liveGroupOf(account: Account, instanceId: string): Promise<string | undefined> {
  for (const group of await account.fleet.listGroups()) if (group.instances.some((i) => i.id === instanceId)) return group.name
  return undefined
}

