/** `release state init` / `state migrate` as the app runs them: a file state copied into a table (dynalite). */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {initState, migrateState} from '../../src/app/state.js'
import type {Workspace} from '../../src/app/workspace.js'
import {Journal} from '../../src/engine/journal.js'
import {Ledger} from '../../src/engine/ledger.js'
import {keys} from '../../src/engine/keys.js'
import type {DynamoStateStore} from '../../src/aws/state-store.js'
import {freshDynamoStore, startDynalite, type Dynalite} from '../fakes/dynalite.js'
import {openProject} from '../fakes/workspace.js'

let dynamo: Dynalite
beforeAll(async () => {
  dynamo = await startDynalite()
})
afterAll(async () => {
  await dynamo.close()
})

function onTable(ws: Workspace, store: DynamoStateStore): Workspace {
  const state = {backend: 'dynamodb' as const, table: store.table, region: 'us-east-1', endpoint: dynamo.endpoint}
  return {...ws, config: {...ws.config, state}, whole: {...(ws.whole ?? ws.config), state}, store, ledger: new Ledger(store, ws.now)}
}

describe('release state migrate', () => {
  it('copies ledgers, releases and journals; a second run leaves them; a table with other releases is refused', async () => {
    const {ws, sim} = await openProject()
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    await rollout(ws, {target: 'web', version: '2.0.0-bad'}, {}, {sim})
    const table = onTable(ws, await freshDynamoStore(dynamo.endpoint))

    const first = await migrateState(table, ws.config.stateDir)
    expect(first.targets).toEqual([{target: 'web', status: 'copied', releases: 2}])
    expect(await table.ledger.read('web')).toEqual(await ws.ledger.read('web'))
    for (const id of ['web-1', 'web-2']) {
      expect(await new Journal(table.store, ws.now).read(id)).toEqual(await new Journal(ws.store, ws.now).read(id))
      expect(await table.store.read(keys.snapshot(id))).toBe(await ws.store.read(keys.snapshot(id)))
    }
    expect(await table.store.read(keys.fence('web'))).toBe(await ws.store.read(keys.fence('web')))

    const again = await migrateState(table, ws.config.stateDir)
    expect(again.targets).toEqual([{target: 'web', status: 'present', releases: 2}])
    expect(await new Journal(table.store, ws.now).read('web-1')).toEqual(await new Journal(ws.store, ws.now).read('web-1'))

    // Another directory whose web has other releases: refused, nothing copied.
    const other = await openProject()
    await rollout(other.ws, {target: 'web', version: '9.0.0'}, {}, {sim: other.sim})
    const before = await table.store.read(keys.ledger('web'))
    await expect(migrateState(table, other.ws.config.stateDir)).rejects.toMatchObject({code: 'E_STATE_MIGRATE_CONFLICT', exitCode: 2})
    expect(await table.store.read(keys.ledger('web'))).toBe(before)
  })

  it('refuses a source that is not a state directory, and the file backend', async () => {
    const {ws} = await openProject()
    const table = onTable(ws, await freshDynamoStore(dynamo.endpoint))
    await expect(migrateState(table, join(ws.config.dir, 'nowhere'))).rejects.toMatchObject({code: 'E_STATE_SOURCE', exitCode: 2})
    await expect(migrateState(table, mkdtempSync(join(tmpdir(), 'release-empty-')))).rejects.toMatchObject({code: 'E_STATE_SOURCE', message: expect.stringMatching(/not a release state directory/)})
    await expect(migrateState(ws, ws.config.stateDir)).rejects.toMatchObject({code: 'E_STATE_BACKEND', exitCode: 2})
    await expect(initState(ws)).rejects.toMatchObject({code: 'E_STATE_BACKEND'})
  })
})
