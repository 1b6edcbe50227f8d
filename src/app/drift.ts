/**
 * `release drift`: the account against the ledger and the desired version, read-only (no lease, no
 * change). Immutable targets: CloudFormation drift detection on the live stack, what serves the
 * traffic sources, retained groups at zero, the live group's instances on the live version (read
 * with the target's `current` lines, when it has them).
 * Incremental targets: each instance's version read with the target's `current` command.
 */
import {stackNameOf} from '../engine/release-details.js'
import {awaitAgents} from '../../strategies/agents.js'
import {currentVersions, type VersionRead, type VersionReading} from '../../strategies/incremental/plan.js'
import {fleetMembers} from '../../strategies/incremental/fleet.js'
import {TAG} from '../../strategies/immutable/index.js'
import {resourceName} from '../config/environments.js'
import {SHELL_DOCUMENTS} from '../config/schema/names.js'
import {targetOrError} from '../config/targets.js'
import type {ImmutableTargetConfig, IncrementalTargetConfig, TargetConfig} from '../config/types.js'
import {JournalInstanceLog} from '../engine/instance-journal.js'
import type {TargetLedger} from '../engine/ledger.js'
import type {ResourceDrift} from '../ports/stacks.js'
import {openAccount, type Account, type AccountOverrides} from './account.js'
import {incrementalDeps} from './kinds/incremental.js'
import {liveStack} from './kinds/immutable.js'
import {POLL_INTERVAL_MS} from './kinds/timing.js'
import {reconcile} from './reconcile.js'
import {enforcementDrift, enforcementFindingText, leftAssociationDrift, type Enforcement, type EnforcementFinding} from './drift-enforce.js'
import {warmGroupOf} from './warm.js'
import type {Workspace} from './workspace.js'

/** One difference between the account and what the ledger says it should be. */
export type DriftFinding =
  | ({kind: 'stackResource'; stack: string} & ResourceDrift)
  | {kind: 'extraServing'; group: string; version: string; role: string}
  | {kind: 'liveNotServing'; group: string}
  | {kind: 'retainedScaledUp'; stack: string; group: string; desired: number}
  | {kind: 'instanceVersion'; instance: string; expected: string; actual: string | null; joined: boolean; reason?: string}
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
    target.strategy === 'immutable' ? await immutableDrift(ws, account, target, ledger, ledger.liveVersion) : await incrementalDrift(ws, account, target, ledger, ledger.liveVersion)
  const {findings, checked} = found
  return {...base, inSync: findings.length === 0, findings, checked, ...(found.enforcement ? {enforcement: found.enforcement} : {})}
}

async function immutableDrift(_ws: Workspace, account: Account, target: ImmutableTargetConfig, ledger: TargetLedger, version: string) {
  const findings: DriftFinding[] = []
  const checked: string[] = []
  const live = liveStack(ledger)
  if (!live) throw new Error(`${target.name}: the ledger names ${version} live but no succeeded release of it with a stack; rebuild it (release ledger rebuild ${target.name})`)
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
  const inFlight = new Set(ledger.releases.filter((r) => r.outcome === 'inProgress' || r.outcome === 'paused').map(stackNameOf))
  const stacks = await account.stacks.listStacksByTag(TAG.target, resourceName(target))
  for (const stack of stacks.filter((s) => s.name !== live.stackName && !inFlight.has(s.name) && !s.status.startsWith('DELETE_'))) {
    const group = (await account.stacks.listResources(stack.name)).find((r) => r.type === GROUP_TYPE)?.physicalId
    if (!group || group === warmOpen) continue
    const info = await account.fleet.describeGroup(group)
    if (info && info.desired > 0) findings.push({kind: 'retainedScaledUp', stack: stack.name, group, desired: info.desired})
  }
  checked.push(`retained groups at zero${warmOpen ? ` (${warmOpen} kept warm until ${warm?.until ?? '?'})` : ''}`)

  // Every instance of the live group runs the live version: a group boots from its template, so an
  // instance on another version was changed by hand or launched from an old template. AWS has no API
  // for what an instance runs: it is read on the instance with the target's `current` lines, as an
  // incremental target's are, on AWS and on the simulated account alike.
  if (liveGroup) {
    const inService = ((await account.fleet.describeGroup(liveGroup))?.instances ?? []).filter((i) => i.lifecycle === 'InService').map((i) => i.id)
    if (!target.current || target.current.length === 0) {
      checked.push(`${inService.length} instances of ${liveGroup} in service; their versions not checked: no current command (set targets.${target.name}.current in release.yml)`)
    } else {
      const reading = {
        commands: account.commands,
        clock: account.clock,
        settings: {change: {document: SHELL_DOCUMENTS[0], current: target.current}, timeouts: {applyMs: target.timeouts.verifyMs, verifyMs: target.timeouts.verifyMs}, pollIntervalMs: POLL_INTERVAL_MS},
      }
      findings.push(...(await versionFindings(reading, inService, version, new Set())))
      checked.push(`${inService.length} instances of ${liveGroup} in service, versions read with the current command`)
    }
  }
  return {findings, checked}
}

async function incrementalDrift(ws: Workspace, account: Account, target: IncrementalTargetConfig, ledger: TargetLedger, version: string) {
  const findings: DriftFinding[] = []
  const deps = incrementalDeps(account, target, () => undefined)
  const members = await fleetMembers(deps)
  // The instances the last successful release planned: the fleet as it was when the version went live.
  const last = [...ledger.releases].reverse().find((r) => r.outcome === 'succeeded' && r.version === version)
  // A converge changed the drifted instances alone: the fleet it began with is what it left in sync.
  const released = new Set(last ? (last.options?.fleet ?? (await new JournalInstanceLog(ws.store, last.id, ws.now).load()).map((r) => r.instanceId)) : [])
  const checked = [`${members.instanceIds.length} instances in service, versions read with the current command`]
  if (target.change.current.length === 0) {
    checked[0] = `${members.instanceIds.length} instances in service; no current command: versions cannot be read (set change.current)`
  } else {
    findings.push(...(await versionFindings(deps, members.instanceIds, version, released)))
  }
  if (members.launching.length > 0) checked.push(`${members.launching.length} instances launching, not yet in service (read once InService): ${members.launching.join(', ')}`)
  const present = new Set(members.instanceIds)
  for (const id of released) if (!present.has(id)) findings.push({kind: 'instanceMissing', instance: id})
  if (last && released.size > 0) checked.push(`fleet against the ${released.size} instances of release ${last.id}`)
  if (target.enforce) {
    const enforced = await enforcementDrift(account.associations, target, version)
    findings.push(...enforced.findings)
    checked.push(enforced.checked)
    return {findings, checked, enforcement: enforced.enforcement}
  }
  const left = await leftAssociationDrift(account.associations, target)
  if (left) {
    findings.push(...left.findings)
    checked.push(left.checked)
  }
  return {findings, checked}
}

/**
 * The instances not on `version`, read with the `current` lines (plan's currentVersions, the same
 * command and rules for both strategies). An instance whose agent never registered, or whose command
 * failed or printed no version, is reported with why: unread is not in sync.
 */
async function versionFindings(reading: VersionReading, instanceIds: string[], version: string, released: Set<string>): Promise<DriftFinding[]> {
  if (instanceIds.length === 0) return []
  const {commands, clock, settings} = reading
  // Bounded like a release's planning: a just-launched instance's agent registers within moments.
  const unregistered = await awaitAgents(
    {commands, clock, report: () => undefined},
    {releaseId: 'drift', state: 'drift', instanceIds, timeoutMs: settings.timeouts.verifyMs, pollIntervalMs: settings.pollIntervalMs},
  )
  const missing = new Set(unregistered)
  const registered = instanceIds.filter((id) => !missing.has(id))
  const versions = registered.length > 0 ? await currentVersions(reading, registered, null) : new Map<string, VersionRead>()
  const findings: DriftFinding[] = []
  for (const id of instanceIds) {
    const joined = released.size > 0 && !released.has(id)
    if (missing.has(id)) {
      findings.push({kind: 'instanceVersion', instance: id, expected: version, actual: null, joined, reason: `its SSM agent is not registered (waited ${settings.timeouts.verifyMs / 1000}s)`})
      continue
    }
    const read = versions.get(id)
    const actual = read?.version ?? null
    if (actual === version) continue
    const reason = actual === null ? {reason: read?.unknown ?? 'its current command failed or printed nothing'} : {}
    findings.push({kind: 'instanceVersion', instance: id, expected: version, actual, joined, ...reason})
  }
  return findings
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
      return `instance ${f.instance}${f.joined ? ' (joined since the release)' : ''} runs ${f.actual ?? 'an unreadable version'}, not ${f.expected}${f.reason ? `: ${f.reason}` : ''}`
    case 'instanceMissing':
      return `instance ${f.instance} of the release is no longer in the fleet`
    default:
      return enforcementFindingText(f)
  }
}
