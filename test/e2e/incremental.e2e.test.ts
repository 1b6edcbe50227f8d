import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {copyQuickstart} from '../fakes/workspace.js'
import {json, release} from './cli.js'

/** A copy of the quickstart (targets web, api, db) in a temp directory. */
const quickstart = (): string => copyQuickstart()

function versionsOf(account: any, group: string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const i of account.groups.find((g: any) => g.name === group).instances) counts[i.version] = (counts[i.version] ?? 0) + 1
  return counts
}

describe('incremental releases through the built binary', () => {
  it('rolls api out in place, rolls a bad version back, and rolls back by hand', async () => {
    const cwd = quickstart()
    expect((await release(['rollout', 'api', '--version', '2.0.0'], {cwd})).code).toBe(0)
    expect((await release(['rollout', 'api', '--version', '3.0.0'], {cwd})).code).toBe(0)
    let account = json(await release(['sim', 'show', '--json'], {cwd}))
    expect(versionsOf(account, 'api-fleet')).toEqual({'3.0.0': 12})

    const bad = await release(['rollout', 'api', '--version', '4.0.0-bad', '--json'], {cwd})
    expect(bad.code).toBe(3)
    expect(json(bad)).toMatchObject({liveVersion: '3.0.0', release: {strategy: 'incremental', outcome: 'rolledBack'}})
    account = json(await release(['sim', 'show', '--json'], {cwd}))
    expect(versionsOf(account, 'api-fleet')).toEqual({'3.0.0': 12})

    const back = await release(['rollback', 'api', '--json'], {cwd})
    expect(back.code).toBe(0)
    expect(json(back)).toMatchObject({liveVersion: '2.0.0', release: {kind: 'rollback', version: '2.0.0'}})
    account = json(await release(['sim', 'show', '--json'], {cwd}))
    expect(versionsOf(account, 'api-fleet')).toEqual({'2.0.0': 12})
    // The quickstart's default environment is prod: its names carry it.
    expect(account.parameters).toContainEqual(expect.objectContaining({name: '/release/prod-api/version', value: '2.0.0'}))
  })

  it('plans web, api and db, changing nothing', async () => {
    const cwd = quickstart()
    const web = json(await release(['plan', 'web', '--version', '2.0.0', '--json'], {cwd}))
    expect(web).toMatchObject({target: 'web', version: '2.0.0', strategy: 'immutable', immutable: {createStack: 'release-prod-web-1'}})
    expect(web.steps.map((s: any) => s.state)).toEqual(['planning', 'provisioning', 'awaitingCapacity', 'verifying', 'shifting', 'baking', 'retiring'])

    const api = json(await release(['plan', 'api', '--version', '2.0.0', '--json'], {cwd}))
    expect(api).toMatchObject({strategy: 'incremental', reason: expect.any(String), incremental: {instances: 12, window: 3, canary: 1}})

    const db = json(await release(['plan', 'db', '--version', '2.0.0', '--json'], {cwd}))
    expect(db).toMatchObject({strategy: 'incremental', declared: 'auto', durable: [expect.objectContaining({type: 'AWS::RDS::DBInstance'})]})
    expect(db.reason).toMatch(/AWS::RDS::DBInstance/)
    expect(db.estimateSeconds).toBeGreaterThan(0)

    const account = json(await release(['sim', 'show', '--json'], {cwd}))
    expect(account.stacks).toEqual([])
    expect(account.parameters ?? []).toEqual([])
    expect(json(await release(['status', '--json'], {cwd})).every((s: any) => s.release === null)).toBe(true)
  })

  it('refuses plan for an unknown target, and a window larger than the fleet', async () => {
    const cwd = quickstart()
    const unknown = await release(['plan', 'cache', '--version', '2.0.0'], {cwd})
    expect(unknown.code).toBe(2)
    const config = readFileSync(join(cwd, 'release.yml'), 'utf8').replace(/maxUnavailable: 25%/, 'maxUnavailable: 13')
    writeFileSync(join(cwd, 'release.yml'), config)
    const tooWide = await release(['rollout', 'api', '--version', '2.0.0'], {cwd})
    expect(tooWide.code).toBe(2)
    expect(tooWide.stderr).toMatch(/E_WINDOW/)
    expect(json(await release(['status', 'api', '--json'], {cwd})).release).toBeNull()
  })
})
