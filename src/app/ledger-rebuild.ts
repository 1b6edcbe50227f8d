/**
 * `release ledger rebuild TARGET`: a lost or partial ledger rebuilt from the account. Every stack a
 * release creates carries release:* tags (target, version, release id), and CloudFormation propagates
 * them to its group; the group attached to the traffic sources says which version is live.
 */
import {stackNameOf} from '../engine/release-details.js'
import {resourceName} from '../config/environments.js'
import {highestSeq, releaseId, releaseIdPrefix, seqOfReleaseId} from '../engine/release-id.js'
import {TAG} from '../../strategies/immutable/index.js'
import {targetOrError} from '../config/index.js'
import {iso, keys} from '../engine/keys.js'
import {acquireLease} from '../engine/lease.js'
import type {ReleaseRecord, TargetLedger} from '../engine/ledger.js'
import {UserError} from '../errors.js'
import {openAccount, type AccountOverrides} from './account.js'
import type {Workspace} from './workspace.js'

const USABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE'])
const STACK_NAME_TAG = 'aws:cloudformation:stack-name'

export interface RebuildResult {
  target: string
  /** Records added, oldest first. */
  added: {id: string; version: string; stackName: string; outcome: string}[]
  liveVersion: string | null
  /** What the account shows serving (by stack), as found. */
  servingStack: string | null
}

export async function rebuildLedger(ws: Workspace, request: {target: string}, overrides: AccountOverrides = {}): Promise<RebuildResult> {
  const target = targetOrError(ws.config, request.target)
  if (target.strategy !== 'immutable') {
    throw new UserError(
      'E_REBUILD_STRATEGY',
      `${target.name} is ${target.strategy}: its releases leave no stacks to read the ledger from`,
      'restore the state directory from a backup; the versions on the instances are read at the next release',
    )
  }
  // Nobody may release the target while its ledger is rewritten.
  const lease = await acquireLease(ws.store, target.name, {releaseId: `${target.name}-rebuild`, ttlMs: 60_000, now: ws.now})
  try {
    const account = await openAccount(ws.config, overrides)
    const ledger = await ws.ledger.read(target.name)
    const current = ledger.releases.at(-1)
    if (current && (current.outcome === 'inProgress' || current.outcome === 'paused')) {
      throw new UserError('E_INTERRUPTED', `release ${current.id} of ${target.name} is ${current.outcome}`, `settle it first (release resume, promote or abort ${target.name})`)
    }
    const known = new Set(ledger.releases.map(stackNameOf))
    const stacks = (await account.stacks.listStacksByTag(TAG.target, resourceName(target)))
      .filter((s) => s.status !== 'DELETE_COMPLETE' && !known.has(s.name))
      .sort((a, b) => a.createdAt - b.createdAt)
    const serving = await account.fleet.groupsAttachedTo(target.trafficSources)
    const servingStacks = new Set(serving.map((g) => g.tags[STACK_NAME_TAG]).filter((n): n is string => n !== undefined))
    const taken = new Set(ledger.releases.map((r) => r.seq))
    let next = highestSeq(ledger.releases) + 1
    /** The records made for the stacks, with the stack each was made for. */
    const added: {record: ReleaseRecord; stackName: string}[] = []
    for (const stack of stacks) {
      const fromTag = seqOfReleaseId(stack.tags[TAG.releaseId] ?? '')
      let seq = fromTag ?? next
      if (taken.has(seq)) seq = next
      taken.add(seq)
      next = Math.max(next, seq + 1)
      const usable = USABLE.has(stack.status)
      const record: ReleaseRecord = {
        // A named environment's ids carry it, as its stacks do (release-staging-web-3 is staging-web-3).
        id: releaseId(releaseIdPrefix(ws.config), target.name, seq),
        target: target.name,
        seq,
        version: stack.tags[TAG.version] ?? 'unknown',
        strategy: 'immutable',
        kind: 'rollout',
        state: usable ? 'succeeded' : 'failed',
        // A stack that is still there and usable was live once (retire keeps only those); a failed one never was.
        outcome: usable ? 'succeeded' : 'failed',
        startedAt: iso(stack.createdAt),
        endedAt: iso(stack.createdAt),
        previousVersion: null,
        message: `rebuilt from the account by release ledger rebuild (stack ${stack.name}, ${stack.status})`,
        details: {stackName: stack.name, rebuilt: true},
      }
      added.push({record, stackName: stack.name})
    }
    const releases = [...ledger.releases, ...added.map(({record}) => record)].sort((a, b) => a.seq - b.seq)
    const serves = (r: ReleaseRecord) => {
      const name = stackNameOf(r)
      return name !== undefined && servingStacks.has(name)
    }
    const servingRecord = [...releases].reverse().find((r) => r.outcome === 'succeeded' && serves(r))
    const rebuilt: TargetLedger = {target: target.name, liveVersion: servingRecord?.version ?? ledger.liveVersion, releases}
    if (servingRecord && servingRecord !== releases.filter((r) => r.outcome === 'succeeded' && r.version === servingRecord.version).at(-1)) {
      // The live release must be the newest success of its version, which is how the ledger finds the live stack.
      releases.splice(releases.indexOf(servingRecord), 1)
      releases.push(servingRecord)
    }
    await ws.store.writeAtomic(keys.ledger(target.name), JSON.stringify(rebuilt, null, 2) + '\n')
    return {
      target: target.name,
      added: added.map(({record, stackName}) => ({id: record.id, version: record.version, stackName, outcome: record.outcome})),
      liveVersion: rebuilt.liveVersion,
      servingStack: servingRecord ? (stackNameOf(servingRecord) ?? null) : null,
    }
  } finally {
    await lease.release()
  }
}
