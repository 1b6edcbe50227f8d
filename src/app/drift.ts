/**
 * `release drift`: the account against the ledger and the desired version, read-only (no lease, no
 * change). Immutable targets: CloudFormation drift detection on the live stack, what serves the
 * traffic sources, retained groups at zero, the live group's instances on the live version.
 * Incremental targets: each instance's version read with the target's `current` command.
 */
import {currentVersions} from '../../strategies/incremental/plan.js'
import {fleetMembers} from '../../strategies/incremental/fleet.js'
import {TAG} from '../../strategies/immutable/index.js'
import {resourceName} from '../config/environments.js'
import {targetOrError} from '../config/targets.js'
import type {ImmutableTargetConfig, IncrementalTargetConfig, TargetConfig} from '../config/types.js'
import {JournalInstanceLog} from '../engine/instance-journal.js'
import type {TargetLedger} from '../engine/ledger.js'
import type {ResourceDrift} from '../ports/stacks.js'
import {openAccount, type Account, type AccountOverrides} from './account.js'
import {incrementalDeps} from './kinds/incremental.js'
import {liveStack} from './kinds/immutable.js'
import {reconcile} from './reconcile.js'
import {enforcementDrift, enforcementFindingText, type Enforcement, type EnforcementFinding} from './drift-enforce.js'
import {warmGroupOf} from './warm.js'
import type {Workspace} from './workspace.js'

/** One difference between the account and what the ledger says it should be. */
export type DriftFinding =
  | ({kind: 'stackResource'; stack: string} & ResourceDrift)
  | {kind: 'extraServing'; group: string; version: string; role: string}
  | {kind: 'liveNotServing'; group: string}
  | {kind: 'retainedScaledUp'; stack: string; group: string; desired: number}
  /** `unreadable`: why `actual` is null when the version could not be read at all (the instance still counts as drifted). */
  | {kind: 'instanceVersion'; instance: string; expected: string; actual: string | null; joined: boolean; unreadable?: string}
  | {kind: 'instanceMissing'; instance: string}
  | EnforcementFinding

export interface DriftReport {
  target: string
  strategy: 'immutable' | 'incremental'
  /** The version the ledger says is live; null when nothing was released yet (then nothing can drift). */
  desiredVersion: string | null
  inSync: boolean
  findings: DriftFinding[]
  /** What was checked, one line each, for the reader. */
  checked: string[]
  /** An enforced target's State Manager association, with its compliance per instance (src/app/drift-enforce.ts). */
  enforcement?: Enforcement
}

/** How long drift detection may take before it counts as failed (CloudFormation's take minutes on large stacks). */
const DETECTION_TIMEOUT_MS = 10 * 60_000
const GROUP_TYPE = 'AWS::AutoScaling::AutoScalingGroup'

export async function drift(ws: Workspace, request: {target?: string}, overrides: AccountOverrides = {}): Promise<DriftReport[]> {
  // An unknown target is bad input: refused before the account is opened.
  const targets = request.target ? [targetOrError(ws.config, request.target)] : Object.values(ws.config.targets)
  const account = await openAccount(ws.config, overrides)
  const reports: DriftReport[] = []
  for (const target of targets) reports.push(await driftOf(ws, account, target))
  return reports
}

/** One target's drift, on an account already open (drift, converge and the check before a rollout share it). */
export async function driftOf(ws: Workspace, account: Account, target: TargetConfig): Promise<DriftReport> {
  const ledger = await ws.ledger.read(target.name)
  const base = {target: target.name, strategy: target.strategy, desiredVersion: ledger.liveVersion}
  if (ledger.liveVersion === null) return {...base, inSync: true, findings: [], checked: ['nothing released yet: nothing to compare']}
  const found: {findings: DriftFinding[]; checked: string[]; enforcement?: Enforcement} =
    target.strategy === 'immutable' ? await immutableDrift(ws, account, target, ledger) : await incrementalDrift(ws, account, target, ledger)
  const {findings, checked} = found
  return {...base, inSync: findings.length === 0, findings, checked, ...(found.enforcement ? {enforcement: found.enforcement} : {})}
}

async function immutableDrift(_ws: Workspace, account: Account, target: ImmutableTargetConfig, ledger: TargetLedger) {
  const findings: DriftFinding[] = []
  const checked: string[] = []
  const live = liveStack(ledger)!
  const version = ledger.liveVersion!
  const result = await account.stacks.detectDrift(live.stackName, {deadline: account.clock.now() + DETECTION_TIMEOUT_MS})
  checked.push(`CloudFormation drift detection on ${live.stackName}: ${result.status}`)
  for (const d of result.drifts) findings.push({kind: 'stackResource', stack: live.stackName, ...d})

  const rec = await reconcile(account, target, ledger)
  checked.push(`groups serving ${target.trafficSources.join(', ')}: ${rec.serving.map((g) => g.group).join(', ') || 'none'}`)
  const liveGroups = rec.serving.filter((g) => g.role === 'live')
  for (const g of rec.serving.filter((g) => g.role !== 'live')) findings.push({kind: 'extraServing', group: g.group, version: g.version, role: g.role})

  const resources = await account.stacks.listResources(live.stackName)
  const liveGroup = resources.find((r) => r.type === GROUP_TYPE)?.physicalId
  if (liveGroup && liveGroups.length === 0) findings.push({kind: 'liveNotServing', group: liveGroup})

  // Retained stacks (what a rollback returns to) keep their group at zero, except the one kept warm.
  const warm = warmGroupOf(ledger)
  const warmOpen = warm && Date.parse(warm.until) > account.clock.now() ? warm.group : undefined
  // The stack of a release still in progress or paused is that release's business, not drift.
  const inFlight = new Set(ledger.releases.filter((r) => r.outcome === 'inProgress' || r.outcome === 'paused').map((r) => r.details?.stackName))
  const stacks = await account.stacks.listStacksByTag(TAG.target, resourceName(target))
  for (const stack of stacks.filter((s) => s.name !== live.stackName && !inFlight.has(s.name) && !s.status.startsWith('DELETE_'))) {
    const group = (await account.stacks.listResources(stack.name)).find((r) => r.type === GROUP_TYPE)?.physicalId
    if (!group || group === warmOpen) continue
    const info = await account.fleet.describeGroup(group)
    if (info && info.desired > 0) findings.push({kind: 'retainedScaledUp', stack: stack.name, group, desired: info.desired})
  }
  checked.push(`retained groups at zero${warmOpen ? ` (${warmOpen} kept warm until ${warm!.until})` : ''}`)

  // Every instance of the live group runs the live version: a group boots from its template, so an
  // instance on another version was changed by hand (read through the sim's versions or `current`).
  // AWS itself has no API for what an instance runs; the simulated account knows it.
  if (liveGroup && account.sim) {
    const versions = account.sim.view().groups.find((g) => g.name === liveGroup)?.instances ?? []
    for (const i of versions.filter((i) => i.lifecycle === 'InService')) {
      if (i.version !== undefined && i.version !== version) findings.push({kind: 'instanceVersion', instance: i.id, expected: version, actual: i.version, joined: false})
    }
    checked.push(`instances of ${liveGroup} on ${version}`)
  }
  return {findings, checked}
}

async function incrementalDrift(ws: Workspace, account: Account, target: IncrementalTargetConfig, ledger: TargetLedger) {
  const findings: DriftFinding[] = []
  const version = ledger.liveVersion!
  const deps = incrementalDeps(account, target, () => undefined)
  const members = await fleetMembers(deps)
  // The instances the last successful release planned: the fleet as it was when the version went live.
  const last = [...ledger.releases].reverse().find((r) => r.outcome === 'succeeded' && r.version === version)
  // A converge changed the drifted instances alone: the fleet it began with is what it left in sync.
  const released = new Set(last ? (last.options?.fleet ?? (await new JournalInstanceLog(ws.store, last.id, ws.now).load()).map((r) => r.instanceId)) : [])
  const checked = [`${members.instanceIds.length} instances in service, versions read with the current command`]
  if (target.change.current.length === 0) {
    checked[0] = `${members.instanceIds.length} instances in service; no current command: versions cannot be read (set change.current)`
  } else if (members.instanceIds.length > 0) {
    // An InService instance whose SSM agent has not registered (just launched, or without the
    // instance profile) cannot be read: SendCommand refuses it. It is reported as unreadable, drift
    // until it says otherwise, rather than left out (drift would call the fleet in sync without
    // having seen it) or waited for (drift is a quick read; a rollout or converge waits for agents).
    const managed = new Set(await deps.commands.managedInstances(members.instanceIds))
    const readable = members.instanceIds.filter((id) => managed.has(id))
    const versions = readable.length > 0 ? await currentVersions(deps, readable, null) : undefined
    for (const id of members.instanceIds) {
      const joined = released.size > 0 && !released.has(id)
      if (!managed.has(id)) {
        findings.push({kind: 'instanceVersion', instance: id, expected: version, actual: null, joined, unreadable: 'its SSM agent is not registered'})
        continue
      }
      const read = versions?.get(id)
      const actual = read?.version ?? null
      if (actual !== version) findings.push({kind: 'instanceVersion', instance: id, expected: version, actual, joined, ...(actual === null ? {unreadable: read?.unknown ?? 'its current command failed'} : {})})
    }
    if (readable.length < members.instanceIds.length) checked.push(`${members.instanceIds.length - readable.length} instances in service with no registered SSM agent: not readable`)
  }
  if (members.launching.length > 0) checked.push(`${members.launching.length} instances launching, not yet in service (read once InService): ${members.launching.join(', ')}`)
  const present = new Set(members.instanceIds)
  for (const id of released) if (!present.has(id)) findings.push({kind: 'instanceMissing', instance: id})
  if (released.size > 0) checked.push(`fleet against the ${released.size} instances of release ${last!.id}`)
  if (target.enforce) {
    const enforced = await enforcementDrift(account.associations, target, version)
    findings.push(...enforced.findings)
    checked.push(enforced.checked)
    return {findings, checked, enforcement: enforced.enforcement}
  }
  return {findings, checked}
}

/** One line per finding, for the terminal. */
export function findingText(f: DriftFinding): string {
  switch (f.kind) {
    case 'stackResource':
      return `stack ${f.stack}: ${f.logicalId} (${f.type}) ${f.status}${f.property ? ` ${f.property}: expected ${f.expected}, actual ${f.actual}` : ''}`
    case 'extraServing':
      return `group ${f.group} (version ${f.version}, ${f.role}) serves beside the live group`
    case 'liveNotServing':
      return `the live group ${f.group} does not serve the traffic sources`
    case 'retainedScaledUp':
      return `retained group ${f.group} (stack ${f.stack}) runs ${f.desired} instances; it should be at zero`
    case 'instanceVersion':
      return f.actual === null
        ? `instance ${f.instance}${f.joined ? ' (joined since the release)' : ''}: version unreadable${f.unreadable ? ` (${f.unreadable})` : ''}, expected ${f.expected}`
        : `instance ${f.instance}${f.joined ? ' (joined since the release)' : ''} runs ${f.actual}, not ${f.expected}`
    case 'instanceMissing':
      return `instance ${f.instance} of the release is no longer in the fleet`
    default:
      return enforcementFindingText(f)
  }
}
