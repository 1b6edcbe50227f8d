/**
 * A look owed to the next instance entry (Journal.owe): the holder's write-ahead stands for its poll's
 * look for an abort request when nothing else was appended to the journal since its own last line
 * (one call on DynamoDB); otherwise the look runs first and, when it throws, nothing is written.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openDynamoStore} from '../../src/aws/state-store.js'
import {fencedStore} from '../../src/engine/fenced.js'
import {Journal, MAX_DEFERRED} from '../../src/engine/journal.js'
import {acquireLease} from '../../src/engine/lease.js'
import type {StateStore} from '../../src/ports/store.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'
import {countCalls, freshDynamoStore, startDynalite, type Dynalite} from '../fakes/dynalite.js'
import {tempDir} from '../fakes/temp.js'

let server: Dynalite
beforeAll(async () => {
  server = await startDynalite()
})
afterAll(async () => {
  await server.close()
})

const ID = 'web-1'
const instance = (phase: string) => ({releaseId: ID, type: 'instance' as const, data: {records: [{instanceId: 'i-1', pass: 'forward', phase}]}})

async function holder(store: StateStore, clock: VirtualClock): Promise<Journal> {
  const lease = await acquireLease(store, 'web', {releaseId: ID, ttlMs: 60_000, now: () => clock.now(), identity: {user: 'alice', host: 'h', pid: 1}})
  const journal = new Journal(fencedStore(store, lease), () => clock.now())
  await journal.append({releaseId: ID, type: 'note', message: 'first'})
  return journal
}

/** Another process's store on the same table, which appends a note to the release's journal. */
async function appendFromAnotherProcess(store: {table: string}, clock: VirtualClock, message: string): Promise<StateStore> {
  const other = openDynamoStore({table: store.table, region: 'us-east-1', endpoint: server.endpoint, clock, env: {}})
  await new Journal(other, () => clock.now()).append({releaseId: ID, type: 'note', message})
  return other
}

describe('a look owed to the next write-ahead', () => {
  it('DynamoDB, nothing appended by anyone else: the entry and the deferred lines in one PutItem, no look', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const journal = await holder(store, clock)
    let looks = 0
    await journal.defer({releaseId: ID, type: 'progress', message: 'deferred'})
    journal.owe(ID, () => {
      looks++
      return Promise.resolve()
    })
    const calls = countCalls(store)
    await journal.append(instance('changing'))
    expect(calls).toEqual(['PutItem'])
    expect(looks).toBe(0)
    // Owed once: the next one is a plain append.
    expect(journal.takeOwed(ID)).toBeUndefined()
    expect((await journal.read(ID)).map((e) => e.message ?? e.data?.records)).toEqual(['first', 'deferred', [{instanceId: 'i-1', pass: 'forward', phase: 'changing'}]])
  })

  it('DynamoDB, another process appended (a request`s note): the look runs first; when it throws nothing is written', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const journal = await holder(store, clock)
    const other = await appendFromAnotherProcess(store, clock, 'abort requested by bob')
    await journal.defer({releaseId: ID, type: 'progress', message: 'deferred'})
    journal.owe(ID, () => Promise.reject(new Error('aborted by bob')))
    await expect(journal.append(instance('changing'))).rejects.toThrow('aborted by bob')
    // The write-ahead was not written; the deferred line still waits and goes with the next write.
    expect((await new Journal(other, () => clock.now()).read(ID)).map((e) => e.message)).toEqual(['first', 'abort requested by bob'])
    await journal.append({releaseId: ID, type: 'note', message: 'going back'})
    expect((await journal.read(ID)).map((e) => e.message)).toEqual(['first', 'abort requested by bob', 'deferred', 'going back'])
  })

  it('DynamoDB, another process appended but no request: the look runs, then the entry is written', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const journal = await holder(store, clock)
    await appendFromAnotherProcess(store, clock, 'a warning')
    let looks = 0
    journal.owe(ID, () => {
      looks++
      return Promise.resolve()
    })
    await journal.append(instance('changing'))
    expect(looks).toBe(1)
    expect((await journal.read(ID)).map((e) => e.message ?? e.type)).toEqual(['first', 'a warning', 'instance'])
  })

  it('a store that cannot tell (files): the look runs before every owed entry', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const journal = await holder(new FileStateStore(tempDir('release-owed-')), clock)
    let looks = 0
    journal.owe(ID, () => {
      looks++
      return Promise.resolve()
    })
    await journal.append(instance('changing'))
    expect(looks).toBe(1)
  })

  it('only an instance entry stands for the look: a transition or a note leaves it owed', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const journal = await holder(store, clock)
    const look = () => Promise.resolve()
    journal.owe(ID, look)
    await journal.append({releaseId: ID, type: 'transition', state: 'rolling'})
    await journal.append({releaseId: ID, type: 'note', message: 'n'})
    expect(journal.takeOwed(ID)).toBe(look)
  })

  it('paid (payOwed) with deferred lines waiting: they are written in one PutItem that stands for it, no look', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const journal = await holder(store, clock)
    let looks = 0
    await journal.defer(instance('returning'))
    journal.owe(ID, () => {
      looks++
      return Promise.resolve()
    })
    const calls = countCalls(store)
    await journal.payOwed(ID)
    expect(calls).toEqual(['PutItem'])
    expect(looks).toBe(0)
    expect(journal.owes(ID)).toBe(false)
    expect((await journal.read(ID)).map((e) => e.message ?? e.type)).toEqual(['first', 'instance'])
  })

  it('paid with nothing deferred, or after another process appended: the look runs', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const journal = await holder(store, clock)
    let looks = 0
    const look = () => {
      looks++
      return Promise.resolve()
    }
    journal.owe(ID, look)
    await journal.payOwed(ID)
    expect(looks).toBe(1)
    const other = openDynamoStore({table: store.table, region: 'us-east-1', endpoint: server.endpoint, clock, env: {}})
    await new Journal(other, () => clock.now()).append({releaseId: ID, type: 'note', message: 'abort requested by bob'})
    await journal.defer(instance('returning'))
    journal.owe(ID, look)
    await journal.payOwed(ID)
    expect(looks).toBe(2)
    expect((await journal.read(ID)).map((e) => e.message ?? e.type)).toEqual(['first', 'abort requested by bob', 'instance'])
  })

  it('the write of MAX_DEFERRED instance entries stands for the look too', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const journal = await holder(store, clock)
    let looks = 0
    journal.owe(ID, () => {
      looks++
      return Promise.resolve()
    })
    const calls = countCalls(store)
    for (let i = 0; i < MAX_DEFERRED; i++) await journal.defer(instance('returning'))
    expect(calls).toEqual(['PutItem'])
    expect(looks).toBe(0)
    expect(journal.owes(ID)).toBe(false)
  })
})
