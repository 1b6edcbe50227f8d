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

/** `release sim drift`: changes the simulated account by hand, as someone outside `release` would. */
export async function simCauseDrift(ws: Workspace, change: import('../sim/index.js').DriftChange): Promise<string> {
  if (ws.config.account !== 'simulated') {
    throw new UserError('E_NOT_SIMULATED', `${ws.config.file} uses account: ${ws.config.account}, not the simulated account`, 'cause drift by hand in the AWS console, or set account: simulated')
  }
  const {DriftChangeError} = await import('../sim/index.js')
  const account = await openSimAccount(ws.config)
  try {
    return account.causeDrift(change)
  } catch (error) {
    if (error instanceof DriftChangeError) throw new UserError('E_SIM_DRIFT', error.message, 'see release sim show for the instances and stacks of the account; nothing was changed')
    throw error
  }
}
