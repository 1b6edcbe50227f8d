/** `release env resume NAME`: continues a create or a destroy that a crash or a cancelled job cut short. */
import {UserError} from '../../errors.js'
import {loadSnapshot} from '../../engine/runner.js'
import {openStateStore} from '../../store/open.js'
import {environmentStore} from '../../store/prefixed.js'
import type {AccountOverrides} from '../account.js'
import type {ReleaseHooks} from '../release.js'
import type {Workspace} from '../workspace.js'
import {resumeCreate, type CreateResult} from './create.js'
import {checkDestroyable, resumeDestroy, type DestroyResult} from './destroy.js'
import {readRecord} from './record.js'

export async function resumeEnvironment(
  ws: Workspace,
  name: string,
  hooks: ReleaseHooks = {},
  overrides: AccountOverrides = {},
): Promise<{created: CreateResult} | {destroyed: DestroyResult}> {
  const whole = ws.whole ?? ws.config
  const shared = await openStateStore(whole)
  await checkDestroyable(whole, shared, name)
  const record = (await readRecord(shared, name))?.record
  if (record?.phase === 'destroying' || (await loadSnapshot(environmentStore(shared, name), 'env-destroy'))) return {destroyed: await resumeDestroy(whole, name, overrides)}
  if (record?.phase === 'creating') return {created: await resumeCreate(whole, record, hooks, overrides)}
  throw new UserError('E_NOTHING_TO_RESUME', `environment ${name} has no create or destroy in progress${record ? ` (it is ${record.phase})` : ''}`, record?.phase === 'failed' ? `Destroy it (release env destroy ${name}) and create it again.` : 'See release env list.', 2)
}
