/** `release sim show`: the simulated account as it is now, advanced to the current virtual time. */
import {UserError} from '../errors.js'
import {openSimAccount} from './account.js'
import type {Workspace} from './workspace.js'

export async function simAccountView(ws: Workspace) {
  if (ws.config.account !== 'simulated') {
    throw new UserError(
      'E_NOT_SIMULATED',
      `${ws.config.file} uses account: ${ws.config.account}, not the simulated account`,
      'look at the account in the AWS console, or set account: simulated',
    )
  }
  const {renderAccountView} = await import('../sim/index.js')
  const account = await openSimAccount(ws.config)
  const view = account.view()
  return {view, text: renderAccountView(view)}
}
