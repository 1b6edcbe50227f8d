/**
 * A holder's journal appends on an endpoint without transactions (dynalite) are fenced by their place
 * (Fence.marked): one PutItem each, no read of the lease, and still refused once another process took
 * the lease over or broke it, because the taker appends a line to that journal right after.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openDynamoStore, type DynamoStateStore} from '../../src/aws/state-store.js'
import {fencedStore} from '../../src/engine/fenced.js'
import {Journal} from '../../src/engine/journal.js'
import {acquireLease, forceUnlock, LeaseLostError, type Lease} from '../../src/engine/lease.js'
import type {StateStore} from '../../src/ports/store.js'
import {VirtualClock} from '../../src/util/clock.js'
import {countCalls, freshDynamoStore, startDynalite, type Dynalite} from '../fakes/dynalite.js'

let server: Dynalite
beforeAll(async () => {
  server = await startDynalite()
})
afterAll(async () => {
  await server.close()
})

const JOURNAL = 'releases/web-1/journal.ndjson'
const alice = {user: 'alice', host: 'build-1', pid: 101}
const bob = {user: 'bob', host: 'build-2', pid: 202}

/** Another process on the same table: a store of its own (its own caches). */
function otherProcess(store: DynamoStateStore, clock: VirtualClock): DynamoStateStore {
  return openDynamoStore({table: store.table, region: 'us-east-1', endpoint: server.endpoint, clock, env: {}})
}

async function holding(store: StateStore, clock: VirtualClock): Promise<{lease: Lease; fenced: StateStore}> {
  const lease = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: 60_000, now: () => clock.now(), identity: alice})
  const fenced = fencedStore(store, lease)
  // The holder's first line finds the end and reads the lease; it knows its place from then on.
  await fenced.append(JOURNAL, '{"at":"2026-01-01T00:00:00.000Z","type":"note","message":"first"}')
  return {lease, fenced}
}

describe('journal appends fenced by place (DynamoDB without transactions)', () => {
  it('cost one PutItem each once the holder knows its place: no read of the lease', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const {fenced} = await holding(store, clock)
    const calls = countCalls(store)
    for (let i = 0; i < 5; i++) await fenced.append(JOURNAL, `{"at":"2026-01-01T00:00:0${i}.000Z","type":"note","message":"line ${i}"}`)
    expect(calls).toEqual(['PutItem', 'PutItem', 'PutItem', 'PutItem', 'PutItem'])
    // Writes elsewhere still read the lease first (no line of a taker can stand in their way).
    calls.length = 0
    await fenced.writeAtomic('releases/web-1/snapshot.json', '{}')
    expect(calls.filter((call) => call !== 'BatchWriteItem')).toEqual(['GetItem', 'PutItem'])
  })

  it.each([
    ['another process', true],
    ['the same store object (two holders in one test process)', false],
  ])('a takeover from %s: the old holder`s next line is refused, and every write after it', async (_, separate) => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const {fenced} = await holding(store, clock)
    await fenced.append(JOURNAL, '{"at":"2026-01-01T00:00:01.000Z","type":"note","message":"placed"}')
    clock.advance(120_000)
    const taker = separate ? otherProcess(store, clock) : store
    const taken = await acquireLease(taker, 'web', {releaseId: 'web-1', ttlMs: 60_000, now: () => clock.now(), identity: bob})
    expect(taken.record.token).toBeGreaterThan(1)
    const before = await taker.read(JOURNAL)
    expect(before).toMatch(/taken over by bob@build-2 pid 202 \(token 2\) from alice@build-1 pid 101 \(token 1\)/)

    const error = await fenced.append(JOURNAL, '{"at":"2026-01-01T00:02:00.000Z","type":"note","message":"late"}').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LeaseLostError)
    expect((error as Error).message).toMatch(/held by bob@build-2 pid 202/)
    await expect(fenced.append(JOURNAL, '{"at":"2026-01-01T00:02:01.000Z","type":"note","message":"later"}')).rejects.toBeInstanceOf(LeaseLostError)
    expect(await taker.read(JOURNAL)).toBe(before)
    // The journal still reads as entries (the note is one).
    expect((await new Journal(taker, () => clock.now()).read('web-1')).map((e) => e.message)).toEqual(['first', 'placed', expect.stringMatching(/taken over/)])
  })

  it('a lease broken by unlock --force: the holder`s next line is refused', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const {fenced} = await holding(store, clock)
    const other = otherProcess(store, clock)
    await forceUnlock(other, 'web', {host: 'elsewhere', now: () => clock.now()})
    const before = await other.read(JOURNAL)
    expect(before).toMatch(/held by alice@build-1 pid 101 \(token 1\) was broken \(release unlock --force\)/)
    await expect(fenced.append(JOURNAL, '{"at":"2026-01-01T00:00:02.000Z","type":"note","message":"late"}')).rejects.toThrow(/the lease was broken/)
    expect(await other.read(JOURNAL)).toBe(before)
  })

  it('a line of another process that is no takeover (an abort note): the holder reads the lease once and goes on', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    const {fenced} = await holding(store, clock)
    await otherProcess(store, clock).append(JOURNAL, '{"at":"2026-01-01T00:00:01.000Z","type":"note","message":"abort requested"}')
    const calls = countCalls(store)
    await fenced.append(JOURNAL, '{"at":"2026-01-01T00:00:02.000Z","type":"note","message":"after"}')
    await fenced.append(JOURNAL, '{"at":"2026-01-01T00:00:03.000Z","type":"note","message":"placed again"}')
    expect(calls).toEqual(['PutItem', 'Query', 'GetItem', 'PutItem', 'PutItem'])
    expect((await new Journal(store, () => clock.now()).read('web-1')).map((e) => e.message)).toEqual(['first', 'abort requested', 'after', 'placed again'])
  })

  it('a takeover of a lease whose release wrote no journal writes none', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const store = await freshDynamoStore(server.endpoint, clock)
    await acquireLease(store, 'web', {releaseId: 'web-converge', ttlMs: 60_000, now: () => clock.now(), identity: alice})
    clock.advance(120_000)
    await acquireLease(otherProcess(store, clock), 'web', {releaseId: 'web-converge', ttlMs: 60_000, now: () => clock.now(), identity: bob})
    expect(await store.list('releases')).toEqual([])
  })
})
