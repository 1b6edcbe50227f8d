/**
 * Checks of a rollout or rollback against the ledger and the account, under the lease and before the
 * ledger records anything: what they refuse is exit 2 with nothing changed.
 */
import type {TargetConfig} from '../config/index.js'
import {UserError} from '../errors.js'
import type {Account} from './account.js'
import type {ReleaseOptions} from './kinds/kind.js'
import {decide, reconcile} from './reconcile.js'
import type {ReleaseRequest} from './release.js'
import type {Workspace} from './workspace.js'

export async function checkAgainstAccount(ws: Workspace, account: Account, target: TargetConfig, request: ReleaseRequest): Promise<ReleaseOptions> {
  const ledger = await ws.ledger.read(target.name)
  // A re-run CI job deploying what is live would replace the live stack and throw the rollback away.
  if (request.kind === 'rollout' && request.version === ledger.liveVersion && !request.force) {
    throw new UserError(
      'E_ALREADY_LIVE',
      `${request.version} is already live on ${target.name}`,
      `nothing to do; to release it again on purpose (new instances of the same version): release rollout ${target.name} --version ${request.version} --force`,
    )
  }
  if (target.strategy !== 'immutable') {
    if (request.adopt !== undefined || request.emergency) {
      throw new UserError('E_FLAG_STRATEGY', `${request.adopt !== undefined ? '--adopt' : '--emergency'} is for immutable targets; ${target.name} is ${target.strategy}`, 'run without it; nothing was changed')
    }
    return {}
  }
  const {adopt} = decide(await reconcile(account, target, ledger), target.name, {adopt: request.adopt})
  return {adopt, emergency: request.emergency}
}
