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
  const plain = account.view()
  const environments = await byEnvironment(ws, plain)
  const view = {...plain, region: ws.config.region, ...(environments ? {environments} : {})}
  return {view, text: renderAccountView(plain) + (environments ? environmentsText(environments, ws.config.region) : '')}
}

type Grouped = Record<string, {stacks: string[]; groups: string[]}>

/**
 * The account's stacks and groups by the environment whose name they carry (release-<env>-...), the
 * longest matching name first (dr-west before dr); `(none)` for what no environment made.
 */
async function byEnvironment(ws: Workspace, view: import('../sim/index.js').AccountView): Promise<Grouped | undefined> {
  const whole = ws.whole ?? ws.config
  if (whole.environments === undefined) return undefined
  const [{listRecords}, {openStateStore}] = await Promise.all([import('./environments/record.js'), import('../store/open.js')])
  const names = [...Object.keys(whole.environments), ...(await listRecords(await openStateStore(whole))).map((r) => r.name)].sort((a, b) => b.length - a.length)
  const grouped: Grouped = Object.fromEntries([...names].reverse().map((n) => [n, {stacks: [], groups: []}]))
  const owner = (stack: string | undefined) => names.find((n) => stack?.startsWith(`release-${n}-`)) ?? '(none)'
  const at = (env: string) => (grouped[env] ??= {stacks: [], groups: []})
  for (const s of view.stacks.filter((s) => s.status !== 'DELETE_COMPLETE')) at(owner(s.name)).stacks.push(s.name)
  for (const g of view.groups) at(owner(g.stackName)).groups.push(g.name)
  return grouped
}

function environmentsText(grouped: Grouped, region: string): string {
  const lines = ['', `BY ENVIRONMENT (region ${region})`]
  for (const [env, {stacks, groups}] of Object.entries(grouped)) {
    lines.push(`  ${env}: ${stacks.length ? `stacks ${stacks.join(', ')}` : 'no stacks'}; ${groups.length ? `groups ${groups.join(', ')}` : 'no groups'}`)
  }
  return lines.join('\n')
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
