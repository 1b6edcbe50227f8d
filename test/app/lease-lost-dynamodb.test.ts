/**
 * The stopped holder of test/app/lease-lost.test.ts, on the DynamoDB backend (dynalite): once resume
 * took the release over, the woken holder's writes are refused by condition, it stops, and the table
 * is as resume left it.
 */
import {ScanCommand} from '@aws-sdk/client-dynamodb'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {resume, rollout} from '../../src/app/release.js'
import {Ledger} from '../../src/engine/ledger.js'
import type {DynamoStateStore} from '../../src/aws/state-store.js'
import {liveStacks, versionsTakingTraffic} from '../fakes/account.js'
import {freshDynamoStore, startDynalite, type Dynalite} from '../fakes/dynalite.js'
import {FreezableClock} from '../fakes/freezable-clock.js'
import {openProject} from '../fakes/workspace.js'

let dynamo: Dynalite
beforeAll(async () => {
  dynamo = await startDynalite()
})
afterAll(async () => {
  await dynamo.close()
})

/** Every item of the table. */
async function tableItems(store: DynamoStateStore): Promise<unknown[]> {
  const items: unknown[] = []
  let start: Record<string, any> | undefined
  do {
    const page = await store.rawClient.send(new ScanCommand({TableName: store.table, ConsistentRead: true, ...(start ? {ExclusiveStartKey: start} : {})}))
    items.push(...(page.Items ?? []))
    start = page.LastEvaluatedKey
  } while (start)
  return items.sort((a: any, b: any) => `${a.pk.S}\0${a.sk.S}`.localeCompare(`${b.pk.S}\0${b.sk.S}`))
}

describe('a holder that lost its lease, on the DynamoDB backend', () => {
  it('writes nothing more once resume took the release over, and the ledger matches the account', async () => {
    const {ws: opened, sim, clock} = await openProject({capacity: 3})
    const store = await freshDynamoStore(dynamo.endpoint, clock)
    const now = () => clock.now()
    const ws = {...opened, store, now, ledger: new Ledger(store, now)}
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})

    const frozen = new FreezableClock()
    let persisted = () => {}
    const reached = new Promise<void>((resolve) => (persisted = resolve))
    const first = rollout(
      ws,
      {target: 'web', version: '2.0.0'},
      {
        onProgress: (event) => (event.state === 'awaitingCapacity' ? frozen.freezeOnce() : undefined),
        onTransition: (state) => (state === 'awaitingCapacity' ? persisted() : undefined),
      },
      {sim, wrapClock: (c) => frozen.wrap(c)},
    ).then(
      (result) => ({result}),
      (error: unknown) => ({error}),
    )
    await Promise.all([frozen.stalled, reached])

    clock.advance(10 * 60_000)
    const resumed = await resume(ws, {target: 'web'}, {}, {sim})
    expect(resumed.outcome).toBe('succeeded')
    const before = await tableItems(store)

    frozen.thaw()
    const ended = await first
    expect(ended).toMatchObject({error: {code: 'E_LEASE_LOST', exitCode: 4}})
    expect((ended as {error: Error}).error.message).toMatch(/continues elsewhere/)
    expect(await tableItems(store)).toEqual(before)

    const ledger = await ws.ledger.read('web')
    expect(ledger.liveVersion).toBe('2.0.0')
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
    expect(Object.keys(liveStacks(sim)).sort()).toEqual(['release-web-1', 'release-web-2'])
    expect(ledger.releases.map((r) => [r.id, r.outcome])).toEqual([
      ['web-1', 'succeeded'],
      ['web-2', 'succeeded'],
    ])
  })
})
