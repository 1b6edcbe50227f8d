import {cpSync, mkdtempSync, readFileSync, renameSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {openSimAccount} from '../../src/app/account.js'
import {checkTargets, discover, renderReleaseYml, writeNewConfig} from '../../src/app/init.js'
import {planRelease} from '../../src/app/plan.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {loadConfig} from '../../src/config/index.js'
import {UserError} from '../../src/errors.js'

const QUICKSTART = path.resolve(import.meta.dirname, '../../examples/quickstart')
let dir: string

beforeEach(async () => {
  // A simulated account that already runs the quickstart's groups, and no release.yml yet.
  dir = mkdtempSync(path.join(tmpdir(), 'release-init-'))
  for (const f of ['release.yml', 'web.yml', 'db.yml']) cpSync(path.join(QUICKSTART, f), path.join(dir, f))
  await openSimAccount(await loadConfig(undefined, {cwd: dir}))
  renameSync(path.join(dir, 'release.yml'), path.join(dir, 'quickstart.yml'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

const place = () => ({file: path.join(dir, 'release.yml'), account: 'simulated' as const, region: 'us-east-1', stateDir: '.release'})

describe('release init on the simulated account', () => {
  it('lists the groups and writes a release.yml that release plan accepts', async () => {
    const found = await discover(place())
    expect(found.groups.map((g) => g.name).sort()).toEqual(['api-fleet', 'api-fleet-staging', 'db-fleet', 'db-fleet-staging'])
    expect(found.groups.find((g) => g.name === 'api-fleet')).toMatchObject({instances: 12, trafficSources: [expect.stringContaining(':targetgroup/api/')]})
    expect(found.stacks).toEqual([])

    const targets = checkTargets(
      [
        {name: 'api', group: 'api-fleet', strategy: 'incremental'},
        {name: 'web', group: 'api-fleet', strategy: 'immutable', template: 'web.yml'},
      ],
      found,
    )
    await writeNewConfig(place().file, renderReleaseYml(place(), targets))
    const text = readFileSync(place().file, 'utf8')
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*docs\/schemas\/release-yml\.json$/)
    expect(text).toMatch(/^ {4}# canary: 1 +# Instances changed first, alone;/m)
    expect(text).toMatch(/^ {4}# bake: 2m +# /m)
    expect(text).toMatch(/^ {4}# timeouts: \{ standby: 5m, apply: 10m, verify: 5m, health: 5m \}/m)

    const ws = await openWorkspace({cwd: dir})
    expect(Object.keys(ws.config.targets)).toEqual(['api', 'web'])
    const plan = await planRelease(ws, {target: 'api', version: '2.0.0'})
    expect(plan.strategy).toBe('incremental')
    expect(plan.incremental?.instances).toBe(12)
    const web = await planRelease(ws, {target: 'web', version: '2.0.0'})
    expect(web.strategy).toBe('immutable')
  })

  it('never overwrites a release.yml, and refuses a group the account does not have', async () => {
    const found = await discover(place())
    const targets = checkTargets([{name: 'api', group: 'api-fleet', strategy: 'incremental'}], found)
    await writeNewConfig(place().file, renderReleaseYml(place(), targets))
    const before = readFileSync(place().file, 'utf8')
    const again = await writeNewConfig(place().file, 'x').catch((e: unknown) => e)
    expect(again).toBeInstanceOf(UserError)
    expect(again).toMatchObject({code: 'E_CONFIG_EXISTS', exitCode: 2})
    expect(readFileSync(place().file, 'utf8')).toBe(before)

    expect(() => checkTargets([{name: 'api', group: 'api-flet', strategy: 'incremental'}], found)).toThrow(/no Auto Scaling group "api-flet"/)
    expect(() => checkTargets([{name: 'web', group: 'db-fleet', strategy: 'immutable', template: 'web.yml'}], found)).toThrow(/attached to none/)
  })
})
