/**
 * The ledger against the account, before an immutable release begins: what takes traffic is read
 * from the account (every group attached to the target's traffic sources), never assumed from the
 * ledger, and a ledger that does not know what the account holds is never acted on blindly.
 */
import {stackNameOf} from '../engine/release-details.js'
import {resourceName} from '../config/environments.js'
import {TAG} from '../../strategies/immutable/index.js'
import {versionOfGroup} from '../../strategies/immutable/serving.js'
import type {ImmutableTargetConfig} from '../config/index.js'
import type {TargetLedger} from '../engine/ledger.js'
import {UserError} from '../errors.js'
import type {Account} from './account.js'
import {liveStack} from './kinds/immutable.js'

/** CloudFormation tags every resource it creates with its stack's name. */
const STACK_NAME_TAG = 'aws:cloudformation:stack-name'

export interface ServingGroup {
  group: string
  version: string
  /**
   * live: the ledger's live group; inFlight: the group of a release the ledger knows that is not live
   * (paused at a gate, or in progress); untracked: a stack of this target the ledger does not know;
   * foreign: not made by release.
   */
  role: 'live' | 'inFlight' | 'untracked' | 'foreign'
}

export interface Reconciliation {
  serving: ServingGroup[]
  /** Stacks of the target in the account that no ledger record names: the ledger was lost or is partial. */
  untrackedStacks: {name: string; version: string}[]
}

export async function reconcile(account: Account, target: ImmutableTargetConfig, ledger: TargetLedger): Promise<Reconciliation> {
  const known = new Set(ledger.releases.map(stackNameOf).filter((name) => name !== undefined))
  const live = liveStack(ledger)
  const stacks = await account.stacks.listStacksByTag(TAG.target, resourceName(target))
  const untrackedStacks = stacks
    .filter((s) => !known.has(s.name) && s.status !== 'DELETE_COMPLETE')
    .map((s) => ({name: s.name, version: s.tags[TAG.version] ?? 'unknown'}))
  const attached = await account.fleet.groupsAttachedTo(target.trafficSources)
  const serving = attached.map((g): ServingGroup => {
    const stack = g.tags[STACK_NAME_TAG]
    const ours = g.tags[TAG.target] === resourceName(target)
    const role = live && stack === live.stackName ? 'live' : ours && stack && known.has(stack) ? 'inFlight' : ours ? 'untracked' : 'foreign'
    return {group: g.name, version: versionOfGroup(g), role}
  })
  return {serving, untrackedStacks}
}

/**
 * What a rollout or rollback may do given the account: throws (exit 2, nothing changed) when the
 * ledger is behind the account, or a group nobody adopted serves; returns the group to adopt, if any.
 */
export function decide(
  rec: Reconciliation,
  target: string,
  request: {adopt?: string},
): {adopt: {group: string; version: string} | null} {
  if (rec.untrackedStacks.length > 0 || rec.serving.some((g) => g.role === 'untracked')) {
    const names = [...new Set([...rec.untrackedStacks.map((s) => `${s.name} (${s.version})`), ...rec.serving.filter((g) => g.role === 'untracked').map((g) => `group ${g.group}`)])]
    throw new UserError(
      'E_LEDGER_BEHIND',
      `the account holds what the ledger of ${target} does not know: ${names.join(', ')}. The ledger was lost or is partial; acting on it could scale down a group that serves`,
      `rebuild it from the account's release:* tags: release ledger rebuild ${target}; nothing was changed`,
    )
  }
  const inFlight = rec.serving.filter((g) => g.role === 'inFlight')
  if (inFlight.length > 0) {
    // A release that stopped between attach and detach (a crash settled by hand): not a state to build on.
    throw new UserError(
      'E_SERVING_UNKNOWN',
      `${inFlight.map((g) => `${g.group} (version ${g.version})`).join(', ')} serve${inFlight.length === 1 ? 's' : ''} the traffic sources of ${target} but ${inFlight.length === 1 ? 'is' : 'are'} not its live group`,
      `see release status ${target} and release sim show (or the console); detach what should not serve, then try again; nothing was changed`,
    )
  }
  const foreign = rec.serving.filter((g) => g.role === 'foreign')
  const live = rec.serving.find((g) => g.role === 'live')
  const only = foreign[0]
  if (only === undefined) {
    if (request.adopt !== undefined) {
      throw new UserError('E_NOTHING_TO_ADOPT', `${request.adopt} does not serve the traffic sources of ${target}`, `run without --adopt; see release plan ${target} --version <version>`)
    }
    return {adopt: null}
  }
  const listed = foreign.map((g) => `${g.group} (version ${g.version})`).join(', ')
  if (live || foreign.length > 1) {
    throw new UserError(
      'E_SERVING_UNKNOWN',
      `${live ? `besides the live group ${live.group}, ` : ''}${listed} serve${foreign.length === 1 ? 's' : ''} the traffic sources of ${target}: two versions take traffic already, and a release moves one old group only`,
      `detach the extra group${foreign.length > 1 ? 's' : ''} from the traffic sources by hand (aws autoscaling detach-traffic-sources), keeping one, then adopt it with --adopt; nothing was changed`,
    )
  }
  if (request.adopt !== only.group) {
    throw new UserError(
      'E_SERVING_UNKNOWN',
      `${listed} serves the traffic sources of ${target} but the ledger does not know it: a release would leave it serving beside the new version`,
      `adopt it: release rollout ${target} --version <version> --adopt ${only.group} (it is detached after the shift and scaled to zero after the bake); nothing was changed`,
    )
  }
  return {adopt: {group: only.group, version: only.version}}
}
