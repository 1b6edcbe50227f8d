/**
 * Promotion: the version to release in one environment read from another (`--version-from staging`),
 * only when the source's latest release of that target succeeded and left a version live.
 */
import {UserError} from '../errors.js'
import {openWorkspace, type Workspace} from './workspace.js'
import {targetOrError} from '../config/targets.js'

export async function versionFrom(ws: Workspace, source: string, target: string): Promise<string> {
  const from = await openWorkspace({configPath: ws.config.file, cwd: ws.config.dir, env: source, readOnly: true})
  targetOrError(from.config, target)
  const ledger = await from.ledger.read(target)
  const latest = ledger.releases.at(-1)
  if (latest === undefined || ledger.liveVersion === null) {
    throw new UserError('E_NO_LIVE_VERSION', `environment ${source} has no live version of ${target}`, `Release ${target} in ${source} first (release rollout ${target} --env ${source} --version V), or pass --version.`, 2)
  }
  if (latest.outcome !== 'succeeded') {
    throw new UserError(
      'E_NO_LIVE_VERSION',
      `the latest release of ${target} in ${source} (${latest.id}, version ${latest.version}) did not succeed (${latest.outcome}); nothing is promoted from it`,
      `Fix ${target} in ${source} until a release succeeds there (release status ${target} --env ${source}), or pass --version.`,
      2,
    )
  }
  return ledger.liveVersion
}
