import {mkdtemp, readFile, rm, readdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {acquireLease, forceUnlock, listLeases, LockedError, readLease} from '../../src/engine/lease.js'
import {UserError} from '../../src/errors.js'
import {FenceError} from '../../src/ports/store.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'

let dir: string
let store: FileStateStore
let clock: VirtualClock
const now = () => clock.now()
const alice = {user: 'alice', host: 'build-1', pid: 101}
const bob = {user: 'bob', host: 'build-2', pid: 202}
const TTL = 60_000

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-lease-'))
  store = new FileStateStore(dir)
  clock = new VirtualClock(Date.UTC(2026, 0, 1))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('leases', () => {
  it('takes a free target and writes who holds it until when', async () => {
    const lease = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
    expect(lease.target).toBe('web')
    expect(lease.releaseId).toBe('web-1')
    const onDisk = JSON.parse(await readFile(path.join(dir, 'locks', 'web.json'), 'utf8'))
    expect(onDisk).toEqual({
      target: 'web',
      holder: 'alice@build-1 pid 101',
      host: 'build-1',
      pid: 101,
      releaseId: 'web-1',
      since: '2026-01-01T00:00:00.000Z',
      expires: '2026-01-01T00:01:00.000Z',
      token: 1,
    })
    expect(await readLease(store, 'web')).toEqual(onDisk)
  })

  it('describes this process by default', async () => {
    const lease = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now})
    expect(lease.record.pid).toBe(process.pid)
    expect(lease.record.holder).toMatch(new RegExp(`^.+@${lease.record.host} pid ${process.pid}$`))
  })

  it('refuses a held target with who, which release, since and until when', async () => {
    await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
    clock.advance(10_000)
    const error = await acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: bob}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LockedError)
    expect(error).toBeInstanceOf(UserError)
    const locked = error as LockedError
    expect(locked.code).toBe('E_LOCKED')
    expect(locked.exitCode).toBe(4)
    expect(locked.message).toBe(
      'target web is locked by alice@build-1 pid 101 for release web-1 since 2026-01-01T00:00:00.000Z (lease expires 2026-01-01T00:01:00.000Z)',
    )
    expect(locked.hint).toMatch(/wait/i)
    expect(locked.hint).toContain('release unlock web --force')
    // a live holder on the same host keeps it too
    const sameHost = await acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: {...bob, host: 'build-1'}, isAlive: () => true}).catch((e: unknown) => e)
    expect(sameHost).toBeInstanceOf(LockedError)
    // a dead pid on another host proves nothing
    const otherHost = await acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: bob, isAlive: () => false}).catch((e: unknown) => e)
    expect(otherHost).toBeInstanceOf(LockedError)
  })

  it('takes over an expired lease, and one whose holder on this host is gone', async () => {
    const old = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
    clock.advance(TTL)
    const taken = await acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: bob})
    expect((await readLease(store, 'web'))!.releaseId).toBe('web-2')
    // the previous holder can neither renew nor remove what is no longer its lease
    expect(await old.renew()).toBe(false)
    expect(await old.release()).toBe(false)
    expect((await readLease(store, 'web'))!.releaseId).toBe('web-2')

    const crashed = await acquireLease(store, 'api', {releaseId: 'api-1', ttlMs: TTL, now, identity: alice})
    const next = await acquireLease(store, 'api', {releaseId: 'api-2', ttlMs: TTL, now, identity: {...bob, host: 'build-1'}, isAlive: (pid) => pid !== 101})
    expect(next.record.releaseId).toBe('api-2')
    expect(await crashed.renew()).toBe(false)
    expect(taken.record.releaseId).toBe('web-2')
  })

  it('lets exactly one of several takers win a stale lease', async () => {
    await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
    clock.advance(TTL + 1)
    const results = await Promise.allSettled(
      Array.from({length: 8}, (_, i) =>
        acquireLease(store, 'web', {releaseId: `web-${i + 2}`, ttlMs: TTL, now, identity: {user: 'u', host: `h${i}`, pid: 1000 + i}}),
      ),
    )
    const winners = results.filter((r) => r.status === 'fulfilled')
    expect(winners).toHaveLength(1)
    for (const loser of results.filter((r) => r.status === 'rejected')) {
      expect(loser.reason).toBeInstanceOf(LockedError)
    }
    const held = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLease>>>).value
    expect((await readLease(store, 'web'))!.releaseId).toBe(held.releaseId)
    // no takeover markers are left behind
    expect(await readdir(path.join(dir, 'locks'))).toEqual(['web.fence', 'web.json'])
  })

  it('two renewals at once (the periodic one and a step\'s) both keep the lease', async () => {
    // A release renews on a timer and at every step; on a slow store (DynamoDB under load) the two
    // overlap. Each must renew over the lease as the other left it, not lose it to its own holder.
    const lease = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
    clock.advance(10_000)
    const periodic = lease.renew()
    clock.advance(1_000)
    const atStep = lease.renew()
    expect(await Promise.all([periodic, atStep])).toEqual([true, true])
    expect(await lease.isOurs()).toBe(true)
    expect((await readLease(store, 'web'))!.expires).toBe('2026-01-01T00:01:11.000Z')
    expect(await lease.renew()).toBe(true)
  })

  it('renews only while ours, and releases only ours', async () => {
    const lease = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
    clock.advance(45_000)
    expect(await lease.renew()).toBe(true)
    expect((await readLease(store, 'web'))!.expires).toBe('2026-01-01T00:01:45.000Z')
    expect(lease.record.since).toBe('2026-01-01T00:00:00.000Z')
    // renewed in time, it is not stale at the old expiry
    clock.advance(30_000)
    await expect(acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: bob})).rejects.toThrow(LockedError)
    expect(await lease.release()).toBe(true)
    expect(await readLease(store, 'web')).toBeUndefined()
    expect(await lease.release()).toBe(false)
    expect(await lease.renew()).toBe(false)
    const again = await acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: bob})
    expect(again.releaseId).toBe('web-2')
  })

  it('lists leases and force-unlocks', async () => {
    expect(await listLeases(store)).toEqual([])
    await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
    await acquireLease(store, 'api', {releaseId: 'api-1', ttlMs: TTL, now, identity: bob})
    expect((await listLeases(store)).map((l) => `${l.target}:${l.releaseId}`)).toEqual(['api:api-1', 'web:web-1'])
    expect((await forceUnlock(store, 'web'))!.removed!.releaseId).toBe('web-1')
    expect(await forceUnlock(store, 'web')).toBeUndefined()
    expect((await listLeases(store)).map((l) => l.target)).toEqual(['api'])
  })

  it('reports a damaged lease instead of taking it', async () => {
    await store.writeAtomic('locks/web.json', 'not json')
    const error = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).toContain(path.join(dir, 'locks', 'web.json'))
    expect((error as UserError).hint).toContain('release unlock web --force')
    expect(await forceUnlock(store, 'web')).toEqual({damaged: expect.stringContaining('not valid JSON')})
    expect(await readLease(store, 'web')).toBeUndefined()
    await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
  })

  it('gives every new holder a larger fencing token, and refuses the writes of a holder that lost its lease', async () => {
    const first = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
    await store.append('releases/web-1/journal.ndjson', '{"n":1}', first.fence)
    clock.advance(TTL + 1)
    const second = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: bob})
    expect(second.record.token).toBeGreaterThan(first.record.token)
    expect(await first.isOurs()).toBe(false)
    expect(await second.isOurs()).toBe(true)
    await expect(store.append('releases/web-1/journal.ndjson', '{"n":2}', first.fence)).rejects.toBeInstanceOf(FenceError)
    await expect(store.writeAtomic('releases/web-1/snapshot.json', '{}', first.fence)).rejects.toBeInstanceOf(FenceError)
    expect(await first.renew()).toBe(false)
    // The first line, then the taker's note (it takes the place the old holder would append to next).
    expect(await store.read('releases/web-1/journal.ndjson')).toMatch(/^\{"n":1\}\n\{"at":"[^"]+","type":"note","message":"the lease of web was taken over by bob@[^"]* \(token 2\)[^"]*","releaseId":"web-1"\}\n$/)
    expect(await store.read('releases/web-1/snapshot.json')).toBeUndefined()

    // Released, then acquired again: still larger than every token before (the counter outlives the lease).
    expect(await second.release()).toBe(true)
    const third = await acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: alice})
    expect(third.record.token).toBeGreaterThan(second.record.token)
    // And after unlock --force too.
    await forceUnlock(store, 'web')
    const fourth = await acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: bob})
    expect(fourth.record.token).toBeGreaterThan(third.record.token)
    expect(await third.isOurs()).toBe(false)
  })
})
