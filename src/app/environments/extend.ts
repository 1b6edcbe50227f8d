/** `release env extend NAME --ttl D`: the environment now expires D from now. */
import {formatTtl, parseTtl} from '../../config/ttl.js'
import {UserError} from '../../errors.js'
import {openStateStore} from '../../store/open.js'
import type {Workspace} from '../workspace.js'
import {changeRecord, readRecord, type OnDemandEnvironment} from './record.js'
import {checkDestroyable} from './destroy.js'

export async function extendEnvironment(ws: Workspace, name: string, ttl: string): Promise<{record: OnDemandEnvironment; message: string}> {
  const whole = ws.whole ?? ws.config
  const ms = parseTtl(ttl)
  const shared = await openStateStore(whole)
  if (!(await readRecord(shared, name))) {
    await checkDestroyable(whole, shared, name)
    throw new UserError('E_NOT_ON_DEMAND', `environment ${name} is defined in ${whole.file} and never expires`, 'Extend an on-demand environment (release env list shows them).', 2)
  }
  const expiresAt = new Date(ws.now() + ms).toISOString()
  const record = await changeRecord(shared, name, (r) => ({...r, expiresAt}))
  return {record, message: `environment ${name} now expires ${expiresAt} (in ${formatTtl(ms)})`}
}
