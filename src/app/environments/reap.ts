/**
 * `release env reap [--dry-run]`: destroys every on-demand environment whose time is up, for a
 * scheduled CI job. Environments of release.yml never expire, so a protected one is never reaped.
 * One that cannot be destroyed now (a release running there) is reported and the others go on.
 */
import {openStateStore} from '../../store/open.js'
import type {AccountOverrides} from '../account.js'
import type {Workspace} from '../workspace.js'
import {destroyEnvironment, type DestroyResult} from './destroy.js'
import {listRecords} from './record.js'

export interface ReapResult {
  dryRun: boolean
  expired: {name: string; expiresAt: string; owner: string}[]
  destroyed: DestroyResult[]
  refused: {name: string; code: string; message: string}[]
  exitCode: number
}

export async function reapEnvironments(ws: Workspace, options: {dryRun?: boolean} = {}, overrides: AccountOverrides = {}): Promise<ReapResult> {
  const whole = ws.whole ?? ws.config
  const now = ws.now()
  const expired = (await listRecords(await openStateStore(whole))).filter((r) => Date.parse(r.expiresAt) <= now).map((r) => ({name: r.name, expiresAt: r.expiresAt, owner: r.owner}))
  const result: ReapResult = {dryRun: options.dryRun === true, expired, destroyed: [], refused: [], exitCode: 0}
  if (options.dryRun) return result
  for (const env of expired) {
    try {
      const done = await destroyEnvironment(ws, env.name, overrides)
      result.destroyed.push(done)
      if (done.exitCode !== 0) result.exitCode = 1
    } catch (error) {
      const e = error as {code?: string; message?: string; exitCode?: number}
      result.refused.push({name: env.name, code: e.code ?? 'unexpected', message: e.message ?? String(error)})
      result.exitCode = Math.max(result.exitCode, e.exitCode === 4 ? 4 : 1)
    }
  }
  return result
}
