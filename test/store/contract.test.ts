/**
 * The StateStore contract, the same tests against both backends: the file backend in a temp
 * directory, and the DynamoDB backend against dynalite (a real DynamoDB implementation over HTTP,
 * started here on 127.0.0.1 and stopped after).
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {FenceError, type StateStore} from '../../src/ports/store.js'
import {FileStateStore} from '../../src/store/file.js'
import {PART_CHARS} from '../../src/aws/state-store.js'
import {freshDynamoStore, startDynalite, type Dynalite} from '../fakes/dynalite.js'

let server: Dynalite
beforeAll(async () => {
  server = await startDynalite()
})
afterAll(async () => {
  await server.close()
})

const backends: [string, () => Promise<StateStore>][] = [
  ['file', async () => new FileStateStore(mkdtempSync(join(tmpdir(), 'release-contract-')))],
  ['dynamodb', async () => freshDynamoStore(server.endpoint)],
]

const lease = (token: number) => JSON.stringify({target: 'web', holder: 'a', token}) + '\n'

describe.each(backends)('StateStore contract: %s', (_name, open) => {
  it('reads what was written, undefined for what never was', async () => {
    const store = await open()
    expect(await store.read('targets/web/ledger.json')).toBeUndefined()
    await store.writeAtomic('targets/web/ledger.json', '{"a":1}\n')
    expect(await store.read('targets/web/ledger.json')).toBe('{"a":1}\n')
    await store.writeAtomic('targets/web/ledger.json', '{"a":2}\n')
    expect(await store.read('targets/web/ledger.json')).toBe('{"a":2}\n')
    await store.writeAtomic('empty', '')
    expect(await store.read('empty')).toBe('')
  })

  it('keeps a value larger than a DynamoDB item whole, and replaces it whole', async () => {
    const store = await open()
    const big = 'é🙂x'.repeat(Math.ceil((PART_CHARS * 2.5) / 4))
    await store.writeAtomic('releases/web-1/snapshot.json', big)
    expect(await store.read('releases/web-1/snapshot.json')).toBe(big)
    await store.writeAtomic('releases/web-1/snapshot.json', 'small')
    expect(await store.read('releases/web-1/snapshot.json')).toBe('small')
  })

  it('appends lines in order, a long line whole', async () => {
    const store = await open()
    const long = 'y'.repeat(PART_CHARS * 2 + 7)
    await store.append('releases/web-1/journal.ndjson', '{"n":1}')
    await store.append('releases/web-1/journal.ndjson', long)
    await store.append('releases/web-1/journal.ndjson', '{"n":3}')
    expect(await store.read('releases/web-1/journal.ndjson')).toBe(`{"n":1}\n${long}\n{"n":3}\n`)
  })

  it('reads from an offset, where it can, the bytes appended since: none past the end or for a missing key', async () => {
    const store = await open()
    // Optional on the port: a store that cannot read part of a value is read whole (events.ts).
    if (!store.readFrom) return
    expect((await store.readFrom('releases/web-1/journal.ndjson', 0)).length).toBe(0)
    await store.append('releases/web-1/journal.ndjson', '{"é":1}')
    const first = Buffer.byteLength('{"é":1}\n')
    await store.append('releases/web-1/journal.ndjson', '{"n":2}')
    expect((await store.readFrom('releases/web-1/journal.ndjson', first)).toString('utf8')).toBe('{"n":2}\n')
    expect((await store.readFrom('releases/web-1/journal.ndjson', 0)).toString('utf8')).toBe('{"é":1}\n{"n":2}\n')
    expect((await store.readFrom('releases/web-1/journal.ndjson', first + 100)).length).toBe(0)
  })

  it('appends several lines in one write, in order, and refuses a line holding a newline (nothing written)', async () => {
    const store = await open()
    const key = 'releases/web-1/journal.ndjson'
    await store.append(key, ['{"n":1}', '{"n":2}'])
    await store.append(key, '{"n":3}')
    await store.append(key, ['{"n":4}'])
    await expect(store.append(key, ['{"n":5}', 'two\nlines'])).rejects.toThrow(/must not contain a newline/)
    await expect(store.append(key, [])).rejects.toThrow(/at least one line/)
    expect(await store.read(key)).toBe('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n')
  })

  it('concurrent appends from separate writers: every line once, none torn', async () => {
    const first = await open()
    // A second writer of the same state (another process: the DynamoDB one has its own line counter).
    const second = first instanceof FileStateStore ? new FileStateStore(first.root) : await reopen(first)
    const writes = Array.from({length: 40}, (_, i) => (i % 2 === 0 ? first : second).append('releases/x-1/journal.ndjson', `{"i":${i}}`))
    await Promise.all(writes)
    const lines = (await first.read('releases/x-1/journal.ndjson'))!.trimEnd().split('\n')
    expect(lines).toHaveLength(40)
    expect(new Set(lines).size).toBe(40)
    // Each writer's own lines keep their order.
    const mine = lines.map((l) => JSON.parse(l).i as number).filter((i) => i % 2 === 0)
    expect(mine).toEqual([...mine].sort((a, b) => a - b))
  })

  it('creates exclusively: one winner among concurrent creators', async () => {
    const store = await open()
    const results = await Promise.all(Array.from({length: 8}, (_, i) => store.createExclusive('locks/web.json', lease(i + 1))))
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await store.createExclusive('locks/web.json', lease(99))).toBe(false)
  })

  it('lists the keys and directories directly below a prefix, not removed keys', async () => {
    const store = await open()
    await store.writeAtomic('targets/web/ledger.json', '{}')
    await store.writeAtomic('targets/api/ledger.json', '{}')
    await store.createExclusive('locks/web.json', lease(1))
    await store.createExclusive('locks/api.json', lease(1))
    await store.append('releases/web-1/journal.ndjson', '{}')
    expect(await store.list('targets')).toEqual(['api', 'web'])
    expect(await store.list('targets/web')).toEqual(['ledger.json'])
    expect(await store.list('releases/web-1')).toEqual(['journal.ndjson'])
    expect(await store.list('nothing')).toEqual([])
    await store.remove('locks/api.json')
    expect(await store.list('locks')).toEqual(['web.json'])
    expect(await store.read('locks/api.json')).toBeUndefined()
    await store.remove('releases/web-1/journal.ndjson')
    expect(await store.read('releases/web-1/journal.ndjson')).toBeUndefined()
    await store.remove('never/was')
  })

  it('refuses a write fenced by a token the lease no longer holds, and writes nothing', async () => {
    const store = await open()
    await store.createExclusive('locks/web.json', lease(1))
    const fence = {key: 'locks/web.json', token: 1}
    await store.writeAtomic('targets/web/ledger.json', 'by 1', fence)
    await store.append('releases/web-1/journal.ndjson', 'line by 1', fence)
    // Another holder takes over with a larger token.
    expect(await store.compareAndSet('locks/web.json', lease(1), lease(2))).toBe(true)
    await expect(store.writeAtomic('targets/web/ledger.json', 'late', fence)).rejects.toBeInstanceOf(FenceError)
    await expect(store.append('releases/web-1/journal.ndjson', 'late', fence)).rejects.toBeInstanceOf(FenceError)
    await expect(store.compareAndSet('targets/web/ledger.json', 'by 1', 'late', fence)).rejects.toBeInstanceOf(FenceError)
    await expect(store.remove('targets/web/ledger.json', fence)).rejects.toBeInstanceOf(FenceError)
    expect(await store.read('targets/web/ledger.json')).toBe('by 1')
    expect(await store.read('releases/web-1/journal.ndjson')).toBe('line by 1\n')
    // The new holder writes; a fence over a lease that is gone refuses too.
    await store.writeAtomic('targets/web/ledger.json', 'by 2', {key: 'locks/web.json', token: 2})
    await store.remove('locks/web.json', {key: 'locks/web.json', token: 2})
    await expect(store.writeAtomic('targets/web/ledger.json', 'gone', {key: 'locks/web.json', token: 2})).rejects.toBeInstanceOf(FenceError)
    expect(await store.read('targets/web/ledger.json')).toBe('by 2')
  })

  it('a lease fenced by itself: renewal by its holder, refused once taken over', async () => {
    const store = await open()
    await store.createExclusive('locks/web.json', lease(3))
    await store.writeAtomic('locks/web.json', lease(3), {key: 'locks/web.json', token: 3})
    await store.compareAndSet('locks/web.json', lease(3), lease(4))
    await expect(store.writeAtomic('locks/web.json', lease(3), {key: 'locks/web.json', token: 3})).rejects.toBeInstanceOf(FenceError)
    await expect(store.remove('locks/web.json', {key: 'locks/web.json', token: 3})).rejects.toBeInstanceOf(FenceError)
    expect(await store.read('locks/web.json')).toBe(lease(4))
  })

  it('compare-and-set: only over the value read; of concurrent setters over one value, one wins', async () => {
    const store = await open()
    expect(await store.compareAndSet('targets/web/ledger.json', undefined, 'r1')).toBe(true)
    expect(await store.compareAndSet('targets/web/ledger.json', undefined, 'again')).toBe(false)
    expect(await store.compareAndSet('targets/web/ledger.json', 'other', 'r2')).toBe(false)
    const results = await Promise.all(Array.from({length: 6}, (_, i) => store.compareAndSet('targets/web/ledger.json', 'r1', `r2-${i}`)))
    expect(results.filter(Boolean)).toHaveLength(1)
    const winner = results.indexOf(true)
    expect(await store.read('targets/web/ledger.json')).toBe(`r2-${winner}`)
  })
})

/** A second DynamoDB store on the same table, as another process would open it. */
async function reopen(store: StateStore): Promise<StateStore> {
  const {DynamoStateStore} = await import('../../src/aws/state-store.js')
  const s = store as InstanceType<typeof DynamoStateStore>
  const {VirtualClock} = await import('../../src/util/clock.js')
  return new DynamoStateStore({table: s.table, client: s.rawClient, clock: new VirtualClock()})
}
