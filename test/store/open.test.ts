/**
 * The state backend release.yml names (src/store/open.ts `openStateStore`): the file store in the
 * state directory, or the DynamoDB table at the endpoint given (dynalite over HTTP here).
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DynamoStateStore} from '../../src/aws/state-store.js'
import {initTable} from '../../src/aws/state-table.js'
import {openStateStore} from '../../src/store/open.js'
import {VirtualClock} from '../../src/util/clock.js'
import {startDynalite, type Dynalite} from '../fakes/dynalite.js'
import {tempDir} from '../fakes/temp.js'

let server: Dynalite
beforeAll(async () => {
  server = await startDynalite()
})
afterAll(async () => {
  await server.close()
})

describe('opening the state backend of release.yml', () => {
  it('opens the file store in the state directory', async () => {
    const stateDir = tempDir('release-open-')
    const store = await openStateStore({state: {backend: 'file'}, stateDir})
    expect(store.location).toBe(stateDir)
    await store.writeAtomic('targets/web/ledger.json', '{}')
    expect(readFileSync(path.join(stateDir, 'targets', 'web', 'ledger.json'), 'utf8')).toBe('{}')
  })

  it('opens the DynamoDB table at the endpoint release.yml gives, not the state directory', async () => {
    const stateDir = tempDir('release-open-')
    const clock = new VirtualClock()
    const store = await openStateStore({state: {backend: 'dynamodb', table: `open-${process.pid}`, region: 'us-east-1', endpoint: server.endpoint}, stateDir}, {clock})
    expect(store.location).toBe(`dynamodb:open-${process.pid}`)
    if (!(store instanceof DynamoStateStore)) throw new Error(`not the DynamoDB store: ${store.location}`)
    expect(await initTable(store, clock)).toMatchObject({created: true})
    await store.writeAtomic('targets/web/ledger.json', '{}')
    expect(await store.read('targets/web/ledger.json')).toBe('{}')
  })
})
