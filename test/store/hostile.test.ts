/**
 * A hostile state directory (issue 16 item 7): links are never followed, FIFOs and other non-regular
 * files are refused at once, files are owner-only whatever the umask, a malformed lease is refused
 * rather than taken over, and a secret reached through a link never shows in an error message.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {isMainThread} from 'node:worker_threads'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {Journal} from '../../src/engine/journal.js'
import {acquireLease, forceUnlock, readLease} from '../../src/engine/lease.js'
import {Ledger} from '../../src/engine/ledger.js'
import {FileStateStore} from '../../src/store/file.js'

const SECRET = 'AKIA-SECRET-TOKEN-DO-NOT-PRINT'
let base: string
let root: string
let outside: string
let store: FileStateStore

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'release-hostile-'))
  root = path.join(base, 'state')
  outside = path.join(base, 'outside')
  mkdirSync(root)
  mkdirSync(outside)
  writeFileSync(path.join(outside, 'secret'), `not json ${SECRET}\n`)
  store = new FileStateStore(root)
})
afterEach(async () => {
  await rm(base, {recursive: true, force: true})
})

async function failure(promise: Promise<unknown>): Promise<Error & {code?: string; exitCode?: number}> {
  const result = await promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  )
  if (!result) throw new Error('expected a refusal')
  return result
}

describe('links in the state directory', () => {
  it('refuses a ledger that is a link, never showing what it points to', async () => {
    mkdirSync(path.join(root, 'targets', 'web'), {recursive: true})
    symlinkSync(path.join(outside, 'secret'), path.join(root, 'targets', 'web', 'ledger.json'))
    const error = await failure(new Ledger(store, () => 0).read('web'))
    expect(error).toMatchObject({code: 'E_STATE_UNSAFE', exitCode: 2})
    expect(error.message).toMatch(/symbolic link/)
    expect(error.message).not.toContain(SECRET)
    expect(error.message).not.toContain('not json')
  })

  it('never appends through a link, nor into a linked directory: nothing lands outside', async () => {
    mkdirSync(path.join(root, 'releases', 'web-1'), {recursive: true})
    symlinkSync(path.join(outside, 'secret'), path.join(root, 'releases', 'web-1', 'journal.ndjson'))
    await expect(store.append('releases/web-1/journal.ndjson', '{"at":"x","type":"note"}')).rejects.toMatchObject({code: 'E_STATE_UNSAFE'})
    symlinkSync(outside, path.join(root, 'releases', 'web-2'))
    await expect(store.append('releases/web-2/journal.ndjson', '{"at":"x","type":"note"}')).rejects.toMatchObject({code: 'E_STATE_UNSAFE'})
    await expect(store.writeAtomic('releases/web-2/snapshot.json', '{}')).rejects.toMatchObject({code: 'E_STATE_UNSAFE'})
    expect(readFileSync(path.join(outside, 'secret'), 'utf8')).toBe(`not json ${SECRET}\n`)
    expect(existsSync(path.join(outside, 'journal.ndjson'))).toBe(false)
    expect(existsSync(path.join(outside, 'snapshot.json'))).toBe(false)
  })

  it('refuses to replace a link with a write', async () => {
    mkdirSync(path.join(root, 'targets', 'web'), {recursive: true})
    symlinkSync(path.join(outside, 'secret'), path.join(root, 'targets', 'web', 'ledger.json'))
    await expect(store.writeAtomic('targets/web/ledger.json', '{}')).rejects.toMatchObject({code: 'E_STATE_UNSAFE'})
    expect(readFileSync(path.join(outside, 'secret'), 'utf8')).toBe(`not json ${SECRET}\n`)
  })
})

describe('a FIFO in place of a state file', () => {
  it.runIf(process.platform !== 'win32')('is refused at once by reads and appends, never waited on', async () => {
    mkdirSync(path.join(root, 'releases', 'web-1'), {recursive: true})
    execFileSync('mkfifo', [path.join(root, 'releases', 'web-1', 'journal.ndjson')])
    await expect(new Journal(store, () => 0).read('web-1')).rejects.toMatchObject({code: 'E_STATE_UNSAFE', message: expect.stringMatching(/not a regular file/)})
    await expect(store.append('releases/web-1/journal.ndjson', '{"at":"x","type":"note"}')).rejects.toMatchObject({code: 'E_STATE_UNSAFE'})
    await expect(store.writeAtomic('releases/web-1/journal.ndjson', 'x')).rejects.toMatchObject({code: 'E_STATE_UNSAFE'})
  }, 5_000)
})

describe('permissions', () => {
  // A worker thread cannot set the umask: StrykerJS runs the tests in threads (npm run mutation).
  it.skipIf(!isMainThread)('creates files 0600 and directories 0700 even with umask 000', async () => {
    const previous = process.umask(0)
    try {
      await store.writeAtomic('targets/web/ledger.json', '{}')
      await store.append('releases/web-1/journal.ndjson', '{"at":"x","type":"note"}')
      await acquireLease(store, 'web', {releaseId: 'web-1', ttlMs: 60_000, now: () => 0, identity: {host: 'h', pid: 1}})
    } finally {
      process.umask(previous)
    }
    const mode = (file: string) => statSync(path.join(root, file)).mode & 0o777
    expect(mode('targets/web/ledger.json')).toBe(0o600)
    expect(mode('releases/web-1/journal.ndjson')).toBe(0o600)
    expect(mode('locks/web.json')).toBe(0o600)
    expect(mode('locks/web.fence')).toBe(0o600)
    for (const dir of ['targets', 'targets/web', 'releases', 'releases/web-1', 'locks']) expect(mode(dir)).toBe(0o700)
  })
})

describe('malformed leases', () => {
  const good = {target: 'web', holder: 'ci@runner-7 pid 4242', host: 'runner-7', pid: 4242, releaseId: 'web-1', since: '2026-01-01T00:00:00.000Z', expires: '2026-01-01T00:05:00.000Z'}
  it.each([
    ['an expiry that is not a time', {expires: 'soon'}],
    ['pid 0', {pid: 0}],
    ['a negative pid', {pid: -1}],
    ['a fractional pid', {pid: 1.5}],
    ['a token that is not a count', {token: 'x'}],
  ])('refuses %s instead of taking it over (exit 4), and unlock --force removes it, saying so', async (_what, change) => {
    const text = JSON.stringify({...good, ...change})
    await store.writeAtomic('locks/web.json', text)
    const error = await failure(acquireLease(store, 'web', {releaseId: 'web-2', ttlMs: 60_000, now: () => Date.parse('2027-01-01T00:00:00Z')}))
    expect(error).toMatchObject({code: 'E_STATE_CORRUPT', exitCode: 4})
    expect(await store.read('locks/web.json')).toBe(text)
    expect(await forceUnlock(store, 'web')).toEqual({damaged: expect.stringContaining('locks/web.json')})
    expect(await readLease(store, 'web')).toBeUndefined()
  })

  it('unlock --force removes a lease that is a link (the link only), saying so', async () => {
    mkdirSync(path.join(root, 'locks'))
    symlinkSync(path.join(outside, 'secret'), path.join(root, 'locks', 'web.json'))
    const unlocked = await forceUnlock(store, 'web')
    expect(unlocked?.damaged).toMatch(/symbolic link/)
    expect(unlocked?.damaged).not.toContain(SECRET)
    expect(existsSync(path.join(root, 'locks', 'web.json'))).toBe(false)
    expect(readFileSync(path.join(outside, 'secret'), 'utf8')).toBe(`not json ${SECRET}\n`)
  })
})
