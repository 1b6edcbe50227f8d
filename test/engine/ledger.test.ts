import {mkdtemp, readFile, rm, writeFile, mkdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {Journal} from '../../src/engine/journal.js'
import {Ledger} from '../../src/engine/ledger.js'
import {UserError} from '../../src/errors.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'

let dir: string
let store: FileStateStore
let clock: VirtualClock
let ledger: Ledger

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-ledger-'))
  store = new FileStateStore(dir)
  clock = new VirtualClock(Date.UTC(2026, 0, 1))
  ledger = new Ledger(store, () => clock.now())
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('Ledger', () => {
  it('is empty for a target without releases', async () => {
    expect(await ledger.read('web')).toEqual({target: 'web', liveVersion: null, releases: []})
    expect(await ledger.current('web')).toBeUndefined()
    expect(await ledger.lastKnownGood('web')).toBeUndefined()
    expect(await ledger.targets()).toEqual([])
  })

  it('records releases, the live version and the last known good', async () => {
    const first = await ledger.begin('web', {version: '1.0', strategy: 'immutable', kind: 'rollout'})
    expect(first).toEqual({
      id: 'web-1',
      target: 'web',
      seq: 1,
      version: '1.0',
      strategy: 'immutable',
      kind: 'rollout',
      state: 'planning',
      outcome: 'inProgress',
      startedAt: '2026-01-01T00:00:00.000Z',
      previousVersion: null,
    })
    await ledger.update('web', 'web-1', {state: 'shifting', details: {stackName: 'web-1-stack'}})
    clock.advance(60_000)
    const done = await ledger.finish('web', 'web-1', {state: 'succeeded', outcome: 'succeeded', message: 'live'})
    expect(done).toMatchObject({state: 'succeeded', outcome: 'succeeded', endedAt: '2026-01-01T00:01:00.000Z', details: {stackName: 'web-1-stack'}})
    expect((await ledger.read('web')).liveVersion).toBe('1.0')
    expect(await ledger.lastKnownGood('web')).toBeUndefined()

    const second = await ledger.begin('web', {version: '2.0', strategy: 'immutable', kind: 'rollout'})
    expect(second).toMatchObject({id: 'web-2', seq: 2, previousVersion: '1.0'})
    await ledger.finish('web', 'web-2', {state: 'succeeded', outcome: 'succeeded'})
    expect(await ledger.lastKnownGood('web')).toBe('1.0')

    const third = await ledger.begin('web', {version: '3.0-bad', strategy: 'immutable', kind: 'rollout'})
    expect(third.previousVersion).toBe('2.0')
    await ledger.finish('web', 'web-3', {state: 'rolledBack', outcome: 'rolledBack', message: 'unhealthy'})
    const after = await ledger.read('web')
    expect(after.liveVersion).toBe('2.0')
    expect(after.releases.map((r) => r.id)).toEqual(['web-1', 'web-2', 'web-3'])
    expect((await ledger.current('web'))!.id).toBe('web-3')
    expect(await ledger.lastKnownGood('web')).toBe('1.0')

    // rolling back to 1.0 makes it live; then the last known good is 2.0
    await ledger.begin('web', {version: '1.0', strategy: 'immutable', kind: 'rollback'})
    await ledger.finish('web', 'web-4', {state: 'succeeded', outcome: 'succeeded'})
    expect((await ledger.read('web')).liveVersion).toBe('1.0')
    expect(await ledger.lastKnownGood('web')).toBe('2.0')

    await ledger.begin('api', {version: '9', strategy: 'incremental', kind: 'rollout'})
    expect(await ledger.targets()).toEqual(['api', 'web'])
  })

  it('keeps every change when many are made at once', async () => {
    const records = await Promise.all(
      Array.from({length: 8}, (_, i) => ledger.begin('web', {version: `v${i}`, strategy: 'immutable', kind: 'rollout'})),
    )
    expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect((await ledger.read('web')).releases).toHaveLength(8)
  })

  describe('reads (a Query each on DynamoDB)', () => {
    let reads: string[]
    beforeEach(() => {
      reads = []
      const read = store.read.bind(store)
      store.read = (key) => {
        reads.push(key)
        return read(key)
      }
    })

    it('reads the ledger once for its first change, then compares with what it wrote last', async () => {
      await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
      expect(reads).toEqual(['targets/web/ledger.json'])
      await ledger.update('web', 'web-1', {message: 'waiting'})
      await ledger.finish('web', 'web-1', {state: 'done', outcome: 'succeeded'})
      expect(reads).toHaveLength(1)
      expect(await new Ledger(store, () => clock.now()).read('web')).toMatchObject({liveVersion: '1', releases: [{id: 'web-1', message: 'waiting', outcome: 'succeeded'}], revision: 3})
    })

    it('a change by another process since its last write is kept: the compare fails, it reads and decides again', async () => {
      const other = new Ledger(store, () => clock.now())
      await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
      await other.update('web', 'web-1', {message: 'from elsewhere'})
      await other.begin('web', {version: '2', strategy: 'immutable', kind: 'rollout'})
      // web-2 is not in what this ledger wrote: decided there, it would be an unknown release.
      await ledger.update('web', 'web-2', {state: 'baking'})
      await ledger.update('web', 'web-1', {outcome: 'aborted'})
      // This ledger's first change, the other's first, and this one's deciding again on web-2.
      expect(reads).toHaveLength(3)
      expect((await other.read('web')).releases).toMatchObject([
        {id: 'web-1', message: 'from elsewhere', outcome: 'aborted'},
        {id: 'web-2', state: 'baking'},
      ])
    })
  })

  it('clears a field patched to undefined and refuses unknown ids', async () => {
    await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
    await ledger.update('web', 'web-1', {message: 'waiting'})
    expect((await ledger.update('web', 'web-1', {message: undefined})).message).toBeUndefined()
    const error = await ledger.update('web', 'web-9', {state: 'x'}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).code).toBe('E_UNKNOWN_RELEASE')
  })

  it('refuses a corrupted ledger, naming the file, and never overwrites it', async () => {
    const file = path.join(dir, 'targets', 'web', 'ledger.json')
    await mkdir(path.dirname(file), {recursive: true})
    await writeFile(file, '{"target": "web", "liveVersion": "1.0", "releases": [')
    for (const attempt of [
      () => ledger.read('web'),
      () => ledger.begin('web', {version: '2', strategy: 'immutable', kind: 'rollout'}),
      () => ledger.lastKnownGood('web'),
    ]) {
      const error = await attempt().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(UserError)
      expect((error as UserError).code).toBe('E_STATE_CORRUPT')
      expect((error as UserError).message).toContain(file)
    }
    expect(await readFile(file, 'utf8')).toBe('{"target": "web", "liveVersion": "1.0", "releases": [')

    await writeFile(file, JSON.stringify({target: 'api', liveVersion: null, releases: []}))
    expect(((await ledger.read('web').catch((e: unknown) => e)) as UserError).message).toMatch(/ledger of "api", not web/)
  })

  it('refuses target names that would leave the state directory', async () => {
    await expect(ledger.read('../etc')).rejects.toThrow(UserError)
    await expect(ledger.begin('a/b', {version: '1', strategy: 'immutable', kind: 'rollout'})).rejects.toThrow(UserError)
  })
})

describe('Journal', () => {
  it('appends entries and reads them back in order', async () => {
    const journal = new Journal(store, () => clock.now())
    await journal.append({releaseId: 'web-1', type: 'transition', state: 'planning', event: 'xstate.init'})
    clock.advance(1000)
    await journal.append({releaseId: 'web-1', type: 'progress', message: '2/4 instances healthy', data: {ready: 2, total: 4}})
    await journal.append({releaseId: 'web-1', type: 'note', message: 'hello', at: '2030-01-01T00:00:00.000Z'})
    expect(await journal.read('web-1')).toEqual([
      {at: '2026-01-01T00:00:00.000Z', releaseId: 'web-1', type: 'transition', state: 'planning', event: 'xstate.init'},
      {at: '2026-01-01T00:00:01.000Z', releaseId: 'web-1', type: 'progress', message: '2/4 instances healthy', data: {ready: 2, total: 4}},
      {at: '2030-01-01T00:00:00.000Z', releaseId: 'web-1', type: 'note', message: 'hello'},
    ])
    expect(await journal.read('web-2')).toEqual([])
    const raw = await readFile(path.join(dir, 'releases', 'web-1', 'journal.ndjson'), 'utf8')
    expect(raw.split('\n')).toHaveLength(4)
  })

  it('names the file and line of a corrupted entry', async () => {
    const journal = new Journal(store, () => clock.now())
    await journal.append({releaseId: 'web-1', type: 'note', message: 'ok'})
    await store.append('releases/web-1/journal.ndjson', '{"at": "2026-01-01T00:00:00.000Z", "type": "no')
    await journal.append({releaseId: 'web-1', type: 'note', message: 'after'})
    const error = await journal.read('web-1').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).code).toBe('E_STATE_CORRUPT')
    expect((error as UserError).message).toContain(`${path.join(dir, 'releases', 'web-1', 'journal.ndjson')}:2:`)
  })

  it('counts its revisions, and a write conditional on a revision refuses a ledger changed since', async () => {
    const record = await ledger.begin('web', {version: '1.0.0', strategy: 'immutable', kind: 'rollout'})
    const read = await ledger.read('web')
    expect(read.revision).toBe(1)
    await ledger.update('web', record.id, {state: 'provisioning'})
    const before = await store.read('targets/web/ledger.json')
    await expect(ledger.update('web', record.id, {outcome: 'paused'}, read.revision)).rejects.toMatchObject({code: 'E_MOVED_ON', exitCode: 2})
    expect(await store.read('targets/web/ledger.json')).toBe(before)
    const fresh = await ledger.read('web')
    expect((await ledger.update('web', record.id, {outcome: 'paused'}, fresh.revision)).outcome).toBe('paused')
  })
})
