/**
 * `release state init` on a release.yml with environments (the quickstart's staging and prod), as
 * the README's shared-state example runs it: the table is created, and rollouts then keep each
 * environment's state under its own keys in it. dynalite over HTTP on 127.0.0.1.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openDynamoStore} from '../../src/aws/state-store.js'
import {keys} from '../../src/engine/keys.js'
import {VirtualClock} from '../../src/util/clock.js'
import {copyQuickstart} from '../fakes/workspace.js'
import {startDynalite, type Dynalite} from '../fakes/dynalite.js'
import {json, release} from './cli.js'

let dynamo: Dynalite
beforeAll(async () => {
  dynamo = await startDynalite()
})
afterAll(async () => {
  await dynamo.close()
})

describe('release state init with environments', () => {
  it('creates the table; state migrate --env and rollouts then keep each environment\'s state in it under its own keys', async () => {
    const table = `qs-${process.pid}`
    const instant = (dir: string) => {
      const file = join(dir, 'release.yml')
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}speed: 20 .*$/m, '  speed: instant'))
      return file
    }
    // A project that ran staging with the file backend (state in .release/envs/staging/).
    const files = copyQuickstart()
    instant(files)
    expect((await release(['rollout', 'web', '--env', 'staging', '--version', '3.0.0'], {cwd: files})).code).toBe(0)

    const cwd = copyQuickstart()
    const file = instant(cwd)
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nstate: {backend: dynamodb, table: ${table}, endpoint: '${dynamo.endpoint}'}\n`)

    const init = await release(['state', 'init', '--json'], {cwd})
    expect(init.code, init.stderr).toBe(0)
    expect(json(init)).toMatchObject({table, created: true})
    const again = await release(['state', 'init'], {cwd})
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(`the state table ${table} exists with the expected key schema`)

    const migrated = await release(['state', 'migrate', '--from', join(files, '.release'), '--env', 'staging', '--json'], {cwd})
    expect(migrated.code, migrated.stderr).toBe(0)
    expect(json(migrated)).toMatchObject({table, targets: [{target: 'web', status: 'copied', releases: 1}]})
    const prod = await release(['rollout', 'web', '--version', '2.0.0'], {cwd})
    expect(prod.code, prod.stderr).toBe(0)
    const history = json<{id: string; outcome: string}[]>(await release(['history', 'web', '--env', 'staging', '--json'], {cwd}))
    expect(history.map((r) => r.outcome)).toEqual(['succeeded'])

    const store = openDynamoStore({table, region: 'us-east-1', endpoint: dynamo.endpoint, clock: new VirtualClock(0), env: {}})
    expect(JSON.parse((await store.read(`envs/prod/${keys.ledger('web')}`))!)).toMatchObject({liveVersion: '2.0.0'})
    expect(JSON.parse((await store.read(`envs/staging/${keys.ledger('web')}`))!)).toMatchObject({liveVersion: '3.0.0'})
    expect(await store.read(keys.ledger('web'))).toBeUndefined()
  }, 60_000)
})
