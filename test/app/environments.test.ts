/** Two environments on one simulated account never touch each other's stacks, traffic or ledgers; old state still read. */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {versionFrom} from '../../src/app/promotion.js'
import {rollout} from '../../src/app/release.js'
import {statusOf} from '../../src/app/views.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {SimAccount} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {liveStacks} from '../fakes/account.js'
import {STAGING_SOURCE, TRAFFIC_SOURCE, addEnvironments, makeProject} from '../fakes/workspace.js'

function account() {
  return SimAccount.open({clock: new VirtualClock(), seed: 3, targetGroups: {[TRAFFIC_SOURCE]: {}, [STAGING_SOURCE]: {}}})
}

describe('environments', () => {
  it('staging and prod: separate stacks, traffic sources and ledgers', async () => {
    const dir = makeProject({bake: '0s'})
    addEnvironments(dir)
    const configPath = join(dir, 'release.yml')
    const sim = account()
    const staging = await openWorkspace({configPath, cwd: dir, env: 'staging'})
    const prod = await openWorkspace({configPath, cwd: dir})
    expect(prod.config.environment).toBe('prod')

    const first = await rollout(staging, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(JSON.stringify(first)).toContain('succeeded')
    const second = await rollout(prod, {target: 'web', version: '1.0.0'}, {}, {sim})
    expect(JSON.stringify(second)).toContain('"succeeded"')

    expect(Object.keys(liveStacks(sim)).sort()).toEqual(['release-prod-web-1', 'release-staging-web-1'])
    const view = sim.view()
    const versionsAt = (arn: string) => view.trafficSources.find((s) => s.identifier === arn)?.groups.flatMap((g) => g.versions)
    expect([...new Set(versionsAt(STAGING_SOURCE))]).toEqual(['2.0.0'])
    expect([...new Set(versionsAt(TRAFFIC_SOURCE))]).toEqual(['1.0.0'])
    expect((await statusOf(staging, 'web')).liveVersion).toBe('2.0.0')
    expect((await statusOf(prod, 'web')).liveVersion).toBe('1.0.0')

    // Each environment's ledger under envs/<name>/ of the state directory; nothing at the top.
    expect(existsSync(join(staging.config.stateDir, 'envs/staging/targets/web/ledger.json'))).toBe(true)
    expect(existsSync(join(prod.config.stateDir, 'envs/prod/targets/web/ledger.json'))).toBe(true)
    expect(existsSync(join(prod.config.stateDir, 'targets/web/ledger.json'))).toBe(false)

    // A second prod release retires prod's old stack and leaves staging's alone.
    expect((await rollout(prod, {target: 'web', version: '1.1.0'}, {}, {sim})).outcome).toBe('succeeded')
    expect(Object.keys(liveStacks(sim))).toContain('release-staging-web-1')
    expect((await statusOf(staging, 'web')).liveVersion).toBe('2.0.0')
  })

  it('state written without environments is still read, at the same keys, and released into', async () => {
    const dir = makeProject({bake: '0s'})
    const configPath = join(dir, 'release.yml')
    const sim = account()
    const before = await openWorkspace({configPath, cwd: dir})
    await rollout(before, {target: 'web', version: '1.0.0'}, {}, {sim})
    expect(await before.store.read('targets/web/ledger.json')).toBeDefined()

    const after = await openWorkspace({configPath, cwd: dir})
    expect(after.config.environment).toBeUndefined()
    expect((await statusOf(after, 'web')).liveVersion).toBe('1.0.0')
    expect((await rollout(after, {target: 'web', version: '2.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    expect(Object.keys(liveStacks(sim))).toContain('release-web-2')
  })

  it('promotion: refused while staging has no live version or its latest release failed, then the version live there', async () => {
    const dir = makeProject({bake: '0s'})
    addEnvironments(dir)
    const configPath = join(dir, 'release.yml')
    const sim = SimAccount.open({clock: new VirtualClock(), seed: 3, targetGroups: {[TRAFFIC_SOURCE]: {}, [STAGING_SOURCE]: {}}, faults: {unhealthyVersions: ['*-bad']}})
    const staging = await openWorkspace({configPath, cwd: dir, env: 'staging'})
    const prod = await openWorkspace({configPath, cwd: dir})
    const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as {code: string; exitCode: number; message: string})

    const none = await refusal(versionFrom(prod, 'staging', 'web'))
    expect(none).toMatchObject({code: 'E_NO_LIVE_VERSION', exitCode: 2})
    expect((await refusal(versionFrom(prod, 'stagin', 'web')))?.code).toBe('E_UNKNOWN_ENV')

    await rollout(staging, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(await versionFrom(prod, 'staging', 'web')).toBe('2.0.0')
    await rollout(staging, {target: 'web', version: '2.1.0-bad'}, {}, {sim})
    const failed = await refusal(versionFrom(prod, 'staging', 'web'))
    expect(failed).toMatchObject({code: 'E_NO_LIVE_VERSION', exitCode: 2})
    expect(failed?.message).toMatch(/did not succeed/)
    expect((await prod.ledger.read('web')).releases).toEqual([])
  })
})
