/** The holder's store (src/engine/fenced.ts): writes go through while the lease is ours, and stop with E_LEASE_LOST once it is not. */
import {beforeEach, describe, expect, it} from 'vitest'
import {fencedStore} from '../../src/engine/fenced.js'
import {acquireLease, forceUnlock, LeaseLostError} from '../../src/engine/lease.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'
import {tempDir} from '../fakes/temp.js'

let store: FileStateStore
let clock: VirtualClock
const now = () => clock.now()
const alice = {user: 'alice', host: 'build-1', pid: 101}
const bob = {user: 'bob', host: 'build-2', pid: 202}

beforeEach(() => {
  store = new FileStateStore(tempDir('release-fenced-'))
  clock = new VirtualClock(Date.UTC(2026, 0, 1))
})

describe('a fenced store', () => {
  it('writes, appends, removes and creates while the lease is ours; reads and lists as the store', async () => {
    const lease = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: 60_000, now, identity: alice})
    const fenced = fencedStore(store, lease)
    expect(fenced.location).toBe(store.location)
    await fenced.writeAtomic('targets/web/ledger.json', '{}')
    await fenced.append('releases/web-1/journal.ndjson', 'one')
    expect(await fenced.createExclusive('releases/web-1/marker', 'x')).toBe(true)
    expect(await fenced.read('targets/web/ledger.json')).toBe('{}')
    expect(await fenced.list('releases/web-1')).toEqual(['journal.ndjson', 'marker'])
    await fenced.remove('releases/web-1/marker')
    expect(await store.read('releases/web-1/marker')).toBeUndefined()
  })

  it('refuses every write once another holder took the lease over, naming it', async () => {
    const lease = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: 60_000, now, identity: alice})
    const fenced = fencedStore(store, lease)
    clock.advance(120_000)
    await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: 60_000, now, identity: bob})
    for (const write of [
      () => fenced.writeAtomic('targets/web/ledger.json', '{"lost": true}'),
      () => fenced.append('releases/web-1/journal.ndjson', 'late'),
      () => fenced.remove('targets/web/ledger.json'),
    ]) {
      const error = await write().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(LeaseLostError)
      expect(error).toMatchObject({code: 'E_LEASE_LOST', exitCode: 4})
      expect((error as Error).message).toMatch(/held by bob@build-2 pid 202/)
    }
    expect(await store.read('targets/web/ledger.json')).toBeUndefined()
    // (The refused append may leave the journal created, but empty.)
    expect((await store.read('releases/web-1/journal.ndjson')) ?? '').toBe('')
  })

  it('says the lease was broken when nobody holds it any more', async () => {
    const lease = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: 60_000, now, identity: alice})
    const fenced = fencedStore(store, lease)
    await forceUnlock(store, 'web', {host: 'elsewhere'})
    await expect(fenced.writeAtomic('k.json', 'x')).rejects.toThrow(/the lease was broken \(release unlock --force\)/)
  })

  it('passes other errors on as they are', async () => {
    const lease = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: 60_000, now, identity: alice})
    const fenced = fencedStore(store, lease)
    await expect(fenced.writeAtomic('../escape', 'x')).rejects.toThrow(/must not contain '\.\.'/)
  })
})
