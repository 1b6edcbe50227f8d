/** On-demand environments: create, list, release into, destroy, reap, and what is refused. */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {createEnvironment} from '../../src/app/environments/create.js'
import {destroyEnvironment} from '../../src/app/environments/destroy.js'
import {extendEnvironment} from '../../src/app/environments/extend.js'
import {listEnvironments} from '../../src/app/environments/list.js'
import {reapEnvironments} from '../../src/app/environments/reap.js'
import {rollout} from '../../src/app/release.js'
import {openWorkspace, type Workspace} from '../../src/app/workspace.js'
import {SimAccount} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {liveStacks} from '../fakes/account.js'
import {STAGING_SOURCE, TRAFFIC_SOURCE, addEnvironments, makeProject} from '../fakes/workspace.js'

function project(): string {
  const dir = makeProject({bake: '0s'})
  addEnvironments(
    dir,
    `ephemeral:
  ttl: 4h
  targets:
    web: {parameters: {DesiredCapacity: 1}}
  prices: {t3.micro: 0.01}
`,
  )
  return dir
}

function account() {
  return SimAccount.open({clock: new VirtualClock(), seed: 5, targetGroups: {[TRAFFIC_SOURCE]: {}, [STAGING_SOURCE]: {}}})
}

/** A workspace whose wall clock the test moves (ledger times, expiry). */
async function workspace(dir: string, clock: {now: number}, env?: string): Promise<Workspace> {
  const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir, ...(env ? {env} : {})})
  return {...ws, now: () => clock.now}
}

const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as {code: string; exitCode: number; message: string; hint: string})
const stacksOf = (sim: SimAccount, env: string) => Object.keys(liveStacks(sim)).filter((n) => n.startsWith(`release-${env}-`))

describe('on-demand environments', () => {
  it('create from staging, list, release into, destroy: nothing of it is left in the account', async () => {
    const dir = project()
    const sim = account()
    const clock = {now: Date.parse('2026-01-01T00:00:00Z')}
    const staging = await workspace(dir, clock, 'staging')
    expect((await rollout(staging, {target: 'web', version: '2.0.0'}, {}, {sim})).outcome).toBe('succeeded')

    const ws = await workspace(dir, clock)
    const created = await createEnvironment(ws, {name: 'demo', from: 'staging'}, {}, {sim})
    expect(created.message).toBe('environment demo is ready: web 2.0.0 (from staging); expires 2026-01-01T04:00:00.000Z')
    expect(created).toMatchObject({outcome: 'ready', exitCode: 0})
    expect(created.record.expiresAt).toBe('2026-01-01T04:00:00.000Z')
    expect(stacksOf(sim, 'demo')).toEqual(['release-demo-web-1'])
    // The copy serves no load balancer: staging's traffic source still has staging's group alone.
    const view = sim.view()
    const demoGroup = view.groups.find((g) => g.stackName === 'release-demo-web-1')!
    expect(demoGroup.desired).toBe(1)
    expect(demoGroup.trafficSources).toEqual([])

    clock.now += 2 * 3_600_000
    const listed = await listEnvironments(ws, {sim})
    const demo = listed.find((e) => e.name === 'demo')!
    expect(demo).toMatchObject({kind: 'on-demand', source: 'staging', expired: false, instances: 1, targets: [{name: 'web', liveVersion: '2.0.0', instances: 1}]})
    expect(demo.cost.unpriced).toEqual([])
    expect(demo.cost.perDay).toBeGreaterThan(0)
    expect(listed.map((e) => e.name)).toEqual(['staging', 'prod', 'demo'])

    const inDemo = await workspace(dir, clock, 'demo')
    expect((await rollout(inDemo, {target: 'web', version: '2.1.0'}, {}, {sim})).outcome).toBe('succeeded')
    expect(stacksOf(sim, 'demo')).toContain('release-demo-web-2')

    const destroyed = await destroyEnvironment(ws, 'demo', {sim})
    expect(destroyed).toMatchObject({outcome: 'destroyed', exitCode: 0})
    expect(stacksOf(sim, 'demo')).toEqual([])
    expect(sim.view().groups.filter((g) => g.stackName?.startsWith('release-demo-') && g.instances.some((i) => i.lifecycle !== 'Terminated'))).toEqual([])
    expect((await listEnvironments(ws, {sim})).map((e) => e.name)).toEqual(['staging', 'prod'])
    expect(stacksOf(sim, 'staging')).toEqual(['release-staging-web-1'])
    expect((await refusal(workspace(dir, clock, 'demo')))?.code).toBe('E_UNKNOWN_ENV')
  })

  it('reap destroys an environment past its expiry, not before; extend moves the expiry', async () => {
    const dir = project()
    const sim = account()
    const clock = {now: Date.parse('2026-01-01T00:00:00Z')}
    await rollout(await workspace(dir, clock, 'staging'), {target: 'web', version: '2.0.0'}, {}, {sim})
    const ws = await workspace(dir, clock)
    await createEnvironment(ws, {name: 'short', from: 'staging', ttl: '30m'}, {}, {sim})
    await createEnvironment(ws, {name: 'long', from: 'staging', ttl: '2d'}, {}, {sim})

    clock.now += 29 * 60_000
    expect((await reapEnvironments(ws, {}, {sim})).expired).toEqual([])
    await extendEnvironment(ws, 'short', '1h')
    clock.now += 30 * 60_000
    expect((await reapEnvironments(ws, {}, {sim})).expired).toEqual([])
    clock.now += 31 * 60_000
    const dry = await reapEnvironments(ws, {dryRun: true}, {sim})
    expect(dry.expired.map((e) => e.name)).toEqual(['short'])
    expect(stacksOf(sim, 'short')).toEqual(['release-short-web-1'])
    const reaped = await reapEnvironments(ws, {}, {sim})
    expect(reaped.destroyed.map((d) => d.environment)).toEqual(['short'])
    expect(stacksOf(sim, 'short')).toEqual([])
    expect(stacksOf(sim, 'long')).toEqual(['release-long-web-1'])
  })

  it('two concurrent env create of one name: exactly one wins', async () => {
    const dir = project()
    const sim = account()
    const clock = {now: Date.now()}
    await rollout(await workspace(dir, clock, 'staging'), {target: 'web', version: '2.0.0'}, {}, {sim})
    const ws = await workspace(dir, clock)
    const results = await Promise.allSettled([createEnvironment(ws, {name: 'twin', from: 'staging'}, {}, {sim}), createEnvironment(ws, {name: 'twin', from: 'staging'}, {}, {sim})])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(lost.reason).toMatchObject({code: 'E_ENV_EXISTS', exitCode: 2})
    expect(stacksOf(sim, 'twin')).toEqual(['release-twin-web-1'])
  })

  it('refuses bad input with exit 2 and changes nothing', async () => {
    const dir = project()
    const sim = account()
    const clock = {now: Date.now()}
    const ws = await workspace(dir, clock)
    const noLive = await refusal(createEnvironment(ws, {name: 'demo', from: 'staging', targets: ['web']}, {}, {sim}))
    expect(noLive).toMatchObject({code: 'E_NO_LIVE_VERSION', exitCode: 2})
    await rollout(await workspace(dir, clock, 'staging'), {target: 'web', version: '2.0.0'}, {}, {sim})
    const before = JSON.stringify(sim.view().stacks)

    expect(await refusal(createEnvironment(ws, {name: 'demo', from: 'stagin'}, {}, {sim}))).toMatchObject({code: 'E_UNKNOWN_ENV', exitCode: 2, hint: 'Did you mean "staging"?'})
    expect(await refusal(createEnvironment(ws, {name: 'Demo!', from: 'staging'}, {}, {sim}))).toMatchObject({code: 'E_ENV_NAME', exitCode: 2})
    expect(await refusal(createEnvironment(ws, {name: 'prod', from: 'staging'}, {}, {sim}))).toMatchObject({code: 'E_ENV_EXISTS', exitCode: 2})
    for (const ttl of ['soon', '30s', '91d', '0m']) {
      expect(await refusal(createEnvironment(ws, {name: 'demo', from: 'staging', ttl}, {}, {sim}))).toMatchObject({code: 'E_TTL', exitCode: 2})
    }
    expect(await refusal(createEnvironment(ws, {name: 'demo', from: 'staging', targets: ['wbe']}, {}, {sim}))).toMatchObject({code: 'E_UNKNOWN_TARGET', exitCode: 2, hint: 'Did you mean "web"?'})
    expect(await refusal(createEnvironment(ws, {name: 'demo', from: 'staging', region: 'mars-1'}, {}, {sim}))).toMatchObject({code: 'E_REGION', exitCode: 2})
    expect(await refusal(destroyEnvironment(ws, 'prod', {sim}))).toMatchObject({code: 'E_PROTECTED', exitCode: 2})
    expect(await refusal(destroyEnvironment(ws, 'dmeo', {sim}))).toMatchObject({code: 'E_UNKNOWN_ENV', exitCode: 2})
    expect(await refusal(extendEnvironment(ws, 'staging', '1h'))).toMatchObject({code: 'E_NOT_ON_DEMAND', exitCode: 2})
    expect(JSON.stringify(sim.view().stacks)).toBe(before)
    expect(await listEnvironments(ws, {sim})).toHaveLength(2)

    await createEnvironment(ws, {name: 'demo', from: 'staging'}, {}, {sim})
    expect(await refusal(createEnvironment(ws, {name: 'demo', from: 'staging'}, {}, {sim}))).toMatchObject({code: 'E_ENV_EXISTS', exitCode: 2})
  })
})

describe('ledger rebuild in a named environment', () => {
  it('gives rebuilt releases the ids of that environment (staging-web-N), matching their stacks', async () => {
    const {rebuildLedger} = await import('../../src/app/ledger-rebuild.js')
    const dir = project()
    const sim = account()
    const clock = {now: Date.now()}
    const staging = await workspace(dir, clock, 'staging')
    await rollout(staging, {target: 'web', version: '2.0.0'}, {}, {sim})
    // The ledger is lost; the account still has the stack.
    await staging.store.remove('targets/web/ledger.json')
    const rebuilt = await rebuildLedger(staging, {target: 'web'}, {sim})
    expect(rebuilt.added.map((r) => [r.id, r.stackName])).toEqual([['staging-web-1', 'release-staging-web-1']])
  })
})
