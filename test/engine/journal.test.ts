/** The event journal of a release (src/engine/journal.ts), on the file store: what it writes and what it refuses to read. */
import {beforeEach, describe, expect, it} from 'vitest'
import {appendJournal, Journal, MAX_DEFERRED} from '../../src/engine/journal.js'
import {JournalInstanceLog} from '../../src/engine/instance-journal.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'
import {tempDir} from '../fakes/temp.js'

const KEY = 'releases/web-1/journal.ndjson'
let store: FileStateStore
let clock: VirtualClock
let journal: Journal

beforeEach(() => {
  store = new FileStateStore(tempDir('release-journal-'))
  clock = new VirtualClock(Date.UTC(2026, 0, 1))
  journal = new Journal(store, () => clock.now())
})

describe('the journal', () => {
  it('writes one line per entry, `at` first and now by default, and reads them back oldest first', async () => {
    const first = await journal.append({releaseId: 'web-1', type: 'transition', state: 'planning'})
    clock.advance(1000)
    await journal.append({releaseId: 'web-1', type: 'note', message: 'hello', at: '2030-01-01T00:00:00.000Z'})
    expect(first).toEqual({at: '2026-01-01T00:00:00.000Z', releaseId: 'web-1', type: 'transition', state: 'planning'})
    expect(await store.read(KEY)).toBe(
      '{"at":"2026-01-01T00:00:00.000Z","releaseId":"web-1","type":"transition","state":"planning"}\n' +
        '{"at":"2030-01-01T00:00:00.000Z","releaseId":"web-1","type":"note","message":"hello"}\n',
    )
    expect((await journal.read('web-1')).map((e) => e.type)).toEqual(['transition', 'note'])
    expect(await journal.read('web-2')).toEqual([])
  })

  it('appends without a Journal at hand (appendJournal)', async () => {
    const entry = await appendJournal(store, 'web-1', {type: 'progress', message: 'half', now: () => Date.UTC(2026, 5, 1)})
    expect(entry).toEqual({at: '2026-06-01T00:00:00.000Z', releaseId: 'web-1', type: 'progress', message: 'half'})
    expect(await journal.read('web-1')).toEqual([entry])
  })

  it('ignores a torn last line and blank lines', async () => {
    await journal.append({releaseId: 'web-1', type: 'note', message: 'whole'})
    await store.writeAtomic(KEY, `${await store.read(KEY)}\n   \n{"at":"x","releaseId":"web-1","type":"no`)
    expect((await journal.read('web-1')).map((e) => e.message)).toEqual(['whole'])
  })

  it.each([
    ['not JSON', '{"at": ', /:1: this journal line is not valid JSON/],
    ['an array', '[]', /:1: this journal line is not an entry \(not an object\)/],
    ['null', 'null', /not an object/],
    ['no at', '{"type":"note"}', /it lacks at/],
    ['an unknown type', '{"at":"x","type":"gossip"}', /its type is none of transition, progress, note, instance/],
    ['a numeric type', '{"at":"x","type":7}', /its type is none of/],
    ['an instance entry without records', '{"at":"x","type":"instance","data":{}}', /an instance entry without a list of records/],
    ['an instance entry without data', '{"at":"x","type":"instance"}', /an instance entry without a list of records/],
    ['a record without phase', '{"at":"x","type":"instance","data":{"records":[{"instanceId":"i-1","pass":"forward"}]}}', /lacks instanceId, phase or pass/],
    ['a record without instanceId', '{"at":"x","type":"instance","data":{"records":[{"phase":"sent","pass":"forward"}]}}', /lacks instanceId, phase or pass/],
    ['a record without pass', '{"at":"x","type":"instance","data":{"records":[{"instanceId":"i-1","phase":"sent"}]}}', /lacks instanceId, phase or pass/],
    ['a null record', '{"at":"x","type":"instance","data":{"records":[null]}}', /lacks instanceId, phase or pass/],
  ])('refuses a line that is %s, naming the file and line (E_STATE_CORRUPT, exit 2)', async (_what, line, message) => {
    await store.writeAtomic(KEY, `${line}\n`)
    const error = await journal.read('web-1').catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_STATE_CORRUPT', exitCode: 2})
    expect((error as Error).message).toContain(`${store.location}/${KEY}:1`)
    expect((error as Error).message).toMatch(message)
  })

  it('names the line of a damaged entry after good ones', async () => {
    await store.writeAtomic(KEY, '{"at":"x","type":"note"}\n\n{"at":"x","type":"bad"}\n')
    await expect(journal.read('web-1')).rejects.toThrow(`${KEY}:3`)
  })

  it('reads a well-formed instance entry', async () => {
    const records = [{instanceId: 'i-1', phase: 'sent', pass: 'forward'}]
    await journal.append({releaseId: 'web-1', type: 'instance', data: {records}})
    expect((await journal.read('web-1'))[0]!.data).toEqual({records})
  })
})

/** The store's writes as they arrive: what one poll costs the state backend. */
function countingAppends(inner: FileStateStore): {store: FileStateStore; appends: string[][]} {
  const appends: string[][] = []
  const store = Object.create(inner) as FileStateStore
  store.append = (key, lines, fence) => {
    appends.push(typeof lines === 'string' ? [lines] : [...lines])
    return inner.append(key, lines, fence)
  }
  return {store, appends}
}

describe('deferred entries (one state write per poll)', () => {
  it('writes deferred entries with the next append, in order, in one write', async () => {
    const {store: counted, appends} = countingAppends(store)
    const j = new Journal(counted, () => clock.now())
    await j.defer({releaseId: 'web-1', type: 'progress', message: 'a'})
    await j.defer({releaseId: 'web-1', type: 'progress', message: 'b'})
    expect(await store.read(KEY)).toBeUndefined()
    await j.append({releaseId: 'web-1', type: 'note', message: 'c'})
    expect(appends.map((lines) => lines.length)).toEqual([3])
    expect((await new Journal(store, () => clock.now()).read('web-1')).map((e) => e.message)).toEqual(['a', 'b', 'c'])
  })

  it('flush and read write what is deferred; a Journal never flushed (a crash) loses only those', async () => {
    const j = new Journal(store, () => clock.now())
    await j.append({releaseId: 'web-1', type: 'note', message: 'kept'})
    await j.defer({releaseId: 'web-1', type: 'progress', message: 'lost in a crash'})
    expect((await new Journal(store, () => clock.now()).read('web-1')).map((e) => e.message)).toEqual(['kept'])
    await j.flush('web-1')
    await j.defer({releaseId: 'web-1', type: 'progress', message: 'read writes it'})
    expect((await j.read('web-1')).map((e) => e.message)).toEqual(['kept', 'lost in a crash', 'read writes it'])
    await j.flush('web-1')
    expect((await j.read('web-1')).length).toBe(3)
  })

  it(`writes once ${MAX_DEFERRED} entries wait, whatever comes next`, async () => {
    const {store: counted, appends} = countingAppends(store)
    const j = new Journal(counted, () => clock.now())
    for (let i = 0; i < MAX_DEFERRED * 2 + 1; i++) await j.defer({releaseId: 'web-1', type: 'progress', message: String(i)})
    expect(appends.map((lines) => lines.length)).toEqual([MAX_DEFERRED, MAX_DEFERRED])
  })

  it('the instance log writes the plan and write-ahead records at once, carrying the deferred ones; defers the rest', async () => {
    const {store: counted, appends} = countingAppends(store)
    const log = new JournalInstanceLog(counted, 'web-1', () => clock.now())
    await log.append([{instanceId: 'i-1', pass: 'forward', phase: 'planned', order: 0, at: 0}])
    await log.append([{instanceId: 'i-1', pass: 'forward', phase: 'changing', at: 1}])
    await log.append([{instanceId: 'i-1', pass: 'forward', phase: 'changing', commandId: 'c-1', at: 2}])
    await log.append([{instanceId: 'i-1', pass: 'forward', phase: 'done', at: 3}])
    expect(appends.map((lines) => lines.length)).toEqual([1, 1])
    await log.append([{instanceId: 'i-2', pass: 'forward', phase: 'changing', at: 4}])
    expect(appends.map((lines) => lines.length)).toEqual([1, 1, 3])
    // What load returns includes the deferred records (it writes them first).
    await log.append([{instanceId: 'i-2', pass: 'forward', phase: 'failed', at: 5}])
    expect((await log.load()).map((r) => `${r.instanceId}:${r.phase}`)).toEqual(['i-1:planned', 'i-1:changing', 'i-1:changing', 'i-1:done', 'i-2:changing', 'i-2:failed'])
  })
})
