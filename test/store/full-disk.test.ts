/**
 * Full disks (issue 16 item 6): every write is checked for its length, appends end on a line boundary,
 * and a failed write leaves the previous state intact with a clear error naming ENOSPC. Faults are
 * injected through the store's file system seam (always run), and on a real 64 KB tmpfs where it can
 * be mounted (skipped elsewhere).
 */
import {execFileSync} from 'node:child_process'
import * as fs from 'node:fs'
import {mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {Journal} from '../../src/engine/journal.js'
import {AccountFile} from '../../src/sim/store.js'
import {FileStateStore} from '../../src/store/file.js'
import type {FileSystem} from '../../src/util/state-file.js'

let root: string

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'release-disk-'))
})
afterEach(async () => {
  await rm(root, {recursive: true, force: true})
})

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC', errno: -28})
}

/** The real file system, whose writes fail once `full` is set: half of the first write lands, then ENOSPC. */
function fillingDisk(): {fs: FileSystem; full: boolean; tore: boolean} {
  const disk = {
    full: false,
    tore: false,
    fs: {
      ...fs,
      // The helper writes buffers: (fd, buffer, offset, length[, position]).
      writeSync: ((fd: number, buffer: Buffer, offset: number, length: number, position?: number | null) => {
        if (!disk.full) return fs.writeSync(fd, buffer, offset, length, position)
        if (length > 1 && !disk.tore) {
          disk.tore = true
          return fs.writeSync(fd, buffer, offset, Math.floor(length / 2), position)
        }
        throw enospc()
      }) as unknown as typeof fs.writeSync,
    } as FileSystem,
  }
  return disk
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, {recursive: true})).sort()
}

describe('a full disk, injected', () => {
  it('keeps the previous value of an atomic write whole, names ENOSPC, and leaves no temp file', async () => {
    const disk = fillingDisk()
    const store = new FileStateStore(root, {fs: disk.fs})
    await store.writeAtomic('targets/web/ledger.json', '{"v":1}\n')
    const before = await filesUnder(root)
    disk.full = true
    const error = await store.writeAtomic('targets/web/ledger.json', `{"v":2,"pad":"${'x'.repeat(10_000)}"}\n`).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_STATE_WRITE', exitCode: 1})
    expect((error as Error).message).toContain(path.join(root, 'targets/web/ledger.json'))
    expect((error as Error).message).toMatch(/ENOSPC/)
    expect((error as Error).message).toMatch(/previous content is intact/)
    expect(await store.read('targets/web/ledger.json')).toBe('{"v":1}\n')
    expect(await filesUnder(root)).toEqual(before)
  })

  it('cuts a failed append back off: the journal is as it was, and the next append lands on a line of its own', async () => {
    const disk = fillingDisk()
    const store = new FileStateStore(root, {fs: disk.fs})
    const key = 'releases/web-1/journal.ndjson'
    await store.append(key, '{"at":"a","type":"note"}')
    disk.full = true
    await expect(store.append(key, `{"at":"b","type":"note","message":"${'y'.repeat(5_000)}"}`)).rejects.toMatchObject({code: 'E_STATE_WRITE'})
    expect(await store.read(key)).toBe('{"at":"a","type":"note"}\n')
    disk.full = false
    await store.append(key, '{"at":"c","type":"note"}')
    expect(await store.read(key)).toBe('{"at":"a","type":"note"}\n{"at":"c","type":"note"}\n')
  })

  it('treats a write that makes no progress as a full disk', async () => {
    const store = new FileStateStore(root, {fs: {...fs, writeSync: (() => 0)}})
    await expect(store.writeAtomic('targets/web/ledger.json', '{}')).rejects.toMatchObject({code: 'E_STATE_WRITE', message: expect.stringMatching(/short write/)})
    expect(await store.read('targets/web/ledger.json')).toBeUndefined()
  })

  it('never glues an append to a torn last line: the torn line is cut off first', async () => {
    const store = new FileStateStore(root)
    const key = 'releases/web-1/journal.ndjson'
    await store.append(key, '{"at":"a","releaseId":"web-1","type":"note"}')
    // A crash (or a full disk) in the middle of an earlier append left half a line.
    fs.appendFileSync(path.join(root, key), '{"at":"b","relea')
    await store.append(key, '{"at":"c","releaseId":"web-1","type":"note"}')
    const entries = await new Journal(store, () => 0).read('web-1')
    expect(entries.map((e) => e.at)).toEqual(['a', 'c'])
    expect(await store.read(key)).toBe('{"at":"a","releaseId":"web-1","type":"note"}\n{"at":"c","releaseId":"web-1","type":"note"}\n')
  })
})

/** Mounts a 64 KB tmpfs, where the platform and our privileges allow; undefined otherwise. */
function mountSmallTmpfs(dir: string): boolean {
  if (process.platform !== 'linux') return false
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', dir], {stdio: 'ignore', timeout: 5_000})
    return true
  } catch {
    return false
  }
}

describe('a full disk, for real (a 64 KB tmpfs)', () => {
  let mountPoint: string
  let mounted = false
  beforeAll(async () => {
    mountPoint = await mkdtemp(path.join(tmpdir(), 'release-tmpfs-'))
    mounted = mountSmallTmpfs(mountPoint)
  })
  afterAll(async () => {
    if (mounted) execFileSync('umount', [mountPoint], {stdio: 'ignore', timeout: 5_000})
    await rm(mountPoint, {recursive: true, force: true})
  })

  /** Fills the file system to the last few hundred bytes. */
  async function fill(dir: string): Promise<void> {
    const filler = path.join(dir, 'filler')
    const fd = fs.openSync(filler, 'w')
    try {
      const block = Buffer.alloc(1024, 0x61)
      for (;;) fs.writeSync(fd, block)
    } catch {
      // full
    } finally {
      fs.closeSync(fd)
    }
    await writeFile(path.join(dir, 'probe'), '').catch(() => undefined)
  }

  it('leaves the ledger, the journal and the simulated account file as they were', async (context) => {
    if (!mounted) context.skip()
    const store = new FileStateStore(path.join(mountPoint, 'state'))
    await store.writeAtomic('targets/web/ledger.json', '{"v":1}\n')
    await store.append('releases/web-1/journal.ndjson', '{"at":"a","type":"note"}')
    const account = new AccountFile(path.join(mountPoint, 'sim'))
    account.write('{"account":1}\n')
    await fill(mountPoint)

    const big = 'z'.repeat(20_000)
    await expect(store.writeAtomic('targets/web/ledger.json', `{"v":2,"pad":"${big}"}\n`)).rejects.toMatchObject({
      code: 'E_STATE_WRITE',
      message: expect.stringMatching(/ENOSPC/),
    })
    await expect(store.append('releases/web-1/journal.ndjson', `{"at":"b","pad":"${big}"}`)).rejects.toMatchObject({code: 'E_STATE_WRITE'})
    expect(() => account.write(`{"account":2,"pad":"${big}"}\n`)).toThrow(/ENOSPC/)

    expect(await store.read('targets/web/ledger.json')).toBe('{"v":1}\n')
    expect(await store.read('releases/web-1/journal.ndjson')).toBe('{"at":"a","type":"note"}\n')
    expect(fs.readFileSync(path.join(mountPoint, 'sim', 'account.json'), 'utf8')).toBe('{"account":1}\n')
    expect((await filesUnder(mountPoint)).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })
})
