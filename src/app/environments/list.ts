/**
 * `release env list`: every environment, those of release.yml and the on-demand copies, with what
 * runs there and what it costs: instances of the stacks it made times the on-demand price of their
 * type (prices.ts, `ephemeral.prices`). The cost so far counts each group's instances of now over the
 * time since its stack was made: an estimate, not a bill.
 */
import {environmentNames, forEnvironment} from '../../config/environments.js'
import type {ReleaseConfig} from '../../config/types.js'
import {Ledger} from '../../engine/ledger.js'
import {openStateStore} from '../../store/open.js'
import {environmentStore} from '../../store/prefixed.js'
import {openAccount, type AccountOverrides} from '../account.js'
import type {Workspace} from '../workspace.js'
import {priceOf} from './prices.js'
import {listRecords, type OnDemandEnvironment} from './record.js'
import {withCopy} from './copy.js'
import {stacksOf} from './stacks.js'

export interface EnvironmentView {
  name: string
  kind: 'defined' | 'on-demand'
  protected: boolean
  region: string
  source: string | null
  owner: string | null
  createdAt: string | null
  ageSeconds: number | null
  expiresAt: string | null
  expired: boolean
  phase: OnDemandEnvironment['phase'] | null
  targets: {name: string; liveVersion: string | null; instances: number; instanceType: string | null}[]
  instances: number
  cost: {currency: 'USD'; perDay: number; soFar: number; unpriced: string[]}
}

export async function listEnvironments(ws: Workspace, overrides: AccountOverrides = {}, options: {account?: boolean} = {}): Promise<EnvironmentView[]> {
  const whole = ws.whole ?? ws.config
  if (whole.environments === undefined) return []
  const shared = await openStateStore(whole)
  const records = await listRecords(shared)
  const now = ws.now()
  const views: EnvironmentView[] = []
  for (const name of environmentNames(whole)) views.push(await viewOf(whole, name, undefined))
  for (const record of records) views.push(await viewOf(withCopy(whole, record), record.name, record))
  return views

  async function viewOf(config: ReleaseConfig, name: string, record: OnDemandEnvironment | undefined): Promise<EnvironmentView> {
    const env = forEnvironment(config, name)
    const ledger = new Ledger(environmentStore(shared, name), ws.now)
    const names = [...new Set([...Object.keys(env.targets), ...(record?.targets.map((t) => t.name) ?? [])])]
    const targets: EnvironmentView['targets'] = []
    const cost: EnvironmentView['cost'] = {currency: 'USD', perDay: 0, soFar: 0, unpriced: []}
    const account = options.account === false ? undefined : await openAccount(env, overrides)
    const stacks = account ? (await stacksOf(account.stacks, name, names)).map((s) => ({...s, account})) : []
    for (const t of names) {
      let instances = 0
      let instanceType: string | null = null
      for (const s of stacks.filter((s) => s.target === t)) {
        const info = await s.account.stacks.describeStack(s.name)
        const group = (await s.account.stacks.listResources(s.name)).find((r) => r.type === 'AWS::AutoScaling::AutoScalingGroup')?.physicalId
        const running = group ? ((await s.account.fleet.describeGroup(group))?.instances.length ?? 0) : 0
        if (running === 0) continue
        instances += running
        const type = info?.parameters['InstanceType'] ?? null
        instanceType = type ?? instanceType
        const price = type === null ? undefined : priceOf(type, whole.ephemeral?.prices)
        if (price === undefined) {
          cost.unpriced.push(type ?? `${s.name} (no InstanceType parameter)`)
          continue
        }
        const hours = Math.max(0, (now - Math.max(info?.createdAt ?? now, record ? Date.parse(record.createdAt) : 0)) / 3_600_000)
        cost.perDay += running * price * 24
        cost.soFar += running * price * hours
      }
      targets.push({name: t, liveVersion: (await ledger.read(t)).liveVersion, instances, instanceType})
    }
    cost.perDay = Math.round(cost.perDay * 100) / 100
    cost.soFar = Math.round(cost.soFar * 100) / 100
    const defined = whole.environments?.[name]
    return {
      name,
      kind: record ? 'on-demand' : 'defined',
      protected: defined?.protected ?? false,
      region: env.region,
      source: record?.source ?? null,
      owner: record?.owner ?? null,
      createdAt: record?.createdAt ?? null,
      ageSeconds: record ? Math.round((now - Date.parse(record.createdAt)) / 1000) : null,
      expiresAt: record?.expiresAt ?? null,
      expired: record ? Date.parse(record.expiresAt) <= now : false,
      phase: record?.phase ?? null,
      targets,
      instances: targets.reduce((n, t) => n + t.instances, 0),
      cost,
    }
  }
}
