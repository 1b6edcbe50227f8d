/**
 * Lease behaviour the mutation pass (docs/dev/mutation.md) found untested: a lease that cannot be
 * judged is refused field by field, fencing tokens keep growing over a damaged counter, a holder
 * alive on this host keeps its lease against unlock --force, and --force clears a crashed takeover.
 */
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'
import {acquireLease, forceUnlock, HolderAliveError, isStale, listLeases, readLease, type LeaseRecord} from '../../src/engine/lease.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'
import {tempDir} from '../fakes/temp.js'

let dir: string
let store: FileStateStore
let clock: VirtualClock
const now = () => clock.now()
const alice = {user: 'alice', host: 'build-1', pid: 101}
const TTL = 60_000

beforeEach(() => {
  dir = tempDir('release-lease-')
  store = new FileStateStore(dir)
  clock = new VirtualClock(Date.UTC(2026, 0, 1))
})

const valid: LeaseRecord = {
  target: 'web',
  holder: 'bob@build-2 pid 202',
  host: 'build-2',
  pid: 202,
  releaseId: 'web-1',
  since: '2026-01-01T00:00:00.000Z',
  expires: '2026-01-01T00:01:00.000Z',
  token: 4,
}

describe('a lease that cannot be judged', () => {
  it.each<[string, unknown]>([
    ['an array', []],
    ['null', null],
    ['no target', {...valid, target: undefined}],
    ['a numeric holder', {...valid, holder: 7}],
    ['no host', {...valid, host: undefined}],
    ['a pid as text', {...valid, pid: '202'}],
    ['a pid of 0', {...valid, pid: 0}],
    ['a fractional pid', {...valid, pid: 1.5}],
    ['no release id', {...valid, releaseId: undefined}],
    ['a numeric since', {...valid, since: 0}],
    ['no expiry', {...valid, expires: undefined}],
    ['an expiry that is not a time', {...valid, expires: 'soon'}],
    ['a time with an offset instead of Z', {...valid, since: '2026-01-01T00:00:00+01:00'}],
    ['a date with text after it', {...valid, expires: '2026-01-01T00:01:00Zjunk'}],
    ['text before a date', {...valid, expires: 'x2026-01-01T00:01:00Z'}],
    ['a date that does not exist', {...valid, expires: '2026-13-45T00:01:00Z'}],
    ['a negative token', {...valid, token: -1}],
    ['a fractional token', {...valid, token: 1.5}],
  ])('is refused, not taken over, with %s (E_STATE_CORRUPT naming the file, exit 4)', async (_what, record) => {
    const text = JSON.stringify(record)
    await store.writeAtomic('locks/web.json', text)
    const error = await acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: alice}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_STATE_CORRUPT', exitCode: 4, hint: expect.stringContaining('release unlock web --force')})
    expect((error as Error).message).toContain(path.join(dir, 'locks', 'web.json'))
    expect(await store.read('locks/web.json')).toBe(text)
    await expect(readLease(store, 'web')).rejects.toMatchObject({code: 'E_STATE_CORRUPT'})
    await expect(listLeases(store)).rejects.toMatchObject({code: 'E_STATE_CORRUPT'})
  })

  it('names what is wrong with it', async () => {
    const cases: [unknown, RegExp][] = [
      [{...valid, host: undefined}, /lacks target, holder, host, pid, releaseId, since or expires/],
      [{...valid, pid: -3}, /pid -3 is not a process id/],
      [{...valid, expires: 'soon'}, /expires "soon" is not a time/],
      [{...valid, token: -1}, /token -1 is not a fencing token/],
    ]
    for (const [record, message] of cases) {
      await store.writeAtomic('locks/web.json', JSON.stringify(record))
      await expect(readLease(store, 'web')).rejects.toThrow(message)
    }
  })

  it('reads a lease written before fencing (no token) as token 0, and a token of 0 as valid', async () => {
    await store.writeAtomic('locks/web.json', JSON.stringify({...valid, token: undefined}))
    expect(await readLease(store, 'web')).toEqual({...valid, token: 0})
    await store.writeAtomic('locks/web.json', JSON.stringify({...valid, token: 0}))
    expect((await readLease(store, 'web'))!.token).toBe(0)
  })
})

describe('fencing tokens', () => {
  it.each([
    ['missing', undefined],
    ['garbage', 'not a number\n'],
    ['negative', '-7\n'],
    ['zero', '0\n'],
  ])('start above every earlier one when the counter is %s', async (_what, counter) => {
    if (counter !== undefined) await store.writeAtomic('locks/web.fence', counter)
    const first = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
    expect(first.record.token).toBe(1)
    await first.release()
    const second = await acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: alice})
    expect(second.record.token).toBe(2)
  })

  it('continue from the counter, and from a taken-over lease whose token is above it', async () => {
    await store.writeAtomic('locks/web.fence', ' 41 \n')
    const lease = await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: TTL, now, identity: alice})
    expect(lease.record.token).toBe(42)
    // An expired lease with a larger token than the counter (written by another backend or by hand).
    await store.writeAtomic('locks/web.json', JSON.stringify({...valid, token: 90, expires: '2025-01-01T00:00:00Z'}))
    const taken = await acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: TTL, now, identity: alice})
    expect(taken.record.token).toBe(91)
    expect(await store.read('locks/web.fence')).toBe('91\n')
  })
})

describe('a holder judged from this host', () => {
  it('is stale only once expired, or on this host and gone', () => {
    const at = Date.parse(valid.since)
    const alive = () => true
    const gone = () => false
    expect(isStale(valid, at, 'build-2', alive)).toBe(false)
    expect(isStale(valid, at, 'build-2', gone)).toBe(true)
    // Another host's process cannot be looked at: only its expiry counts.
    expect(isStale(valid, at, 'build-9', gone)).toBe(false)
    expect(isStale(valid, Date.parse(valid.expires), 'build-2', alive)).toBe(true)
    expect(isStale(valid, Date.parse(valid.expires) - 1, 'build-2', alive)).toBe(false)
  })

  it('keeps its lease against unlock --force while alive here; another host\'s lease is removed', async () => {
    const text = JSON.stringify(valid)
    await store.writeAtomic('locks/web.json', text)
    await expect(forceUnlock(store, 'web', {host: 'build-2', isAlive: () => true})).rejects.toBeInstanceOf(HolderAliveError)
    await expect(forceUnlock(store, 'web', {host: 'build-2', isAlive: () => true})).rejects.toMatchObject({code: 'E_HOLDER_ALIVE', exitCode: 4})
    expect(await store.read('locks/web.json')).toBe(text)
    // Same pid alive, but on another host: not this process; --force removes it.
    expect(await forceUnlock(store, 'web', {host: 'build-9', isAlive: () => true})).toEqual({removed: valid})
    expect(await store.read('locks/web.json')).toBeUndefined()
    await store.writeAtomic('locks/web.json', text)
    expect(await forceUnlock(store, 'web', {host: 'build-2', isAlive: () => false})).toEqual({removed: valid})
  })

  it('unlock --force clears the markers of a crashed takeover of this target only', async () => {
    await store.writeAtomic('locks/web.json', JSON.stringify(valid))
    await store.writeAtomic('locks/web.takeover-0123456789abcdef', 'x')
    await store.writeAtomic('locks/web-api.takeover-0123456789abcdef', 'x')
    await store.writeAtomic('locks/api.json', JSON.stringify({...valid, target: 'api'}))
    await forceUnlock(store, 'web', {host: 'build-9'})
    expect(await store.list('locks')).toEqual(['api.json', 'web-api.takeover-0123456789abcdef'])
  })
})

describe('listing leases', () => {
  it('lists only the .json leases, by target', async () => {
    for (const target of ['web', 'api', 'db']) await store.writeAtomic(`locks/${target}.json`, JSON.stringify({...valid, target}))
    await store.writeAtomic('locks/web.fence', '4\n')
    expect((await listLeases(store)).map((l) => l.target)).toEqual(['api', 'db', 'web'])
  })
})
