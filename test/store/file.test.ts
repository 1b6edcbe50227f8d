import {mkdtemp, readdir, rm, writeFile, mkdir} from 'node:fs/promises'
import * as fs from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {FileStateStore} from '../../src/store/file.js'
import {readStateFile, type FileSystem} from '../../src/util/state-file.js'

let root: string
let store: FileStateStore

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'release-store-'))
  store = new FileStateStore(root)
})
afterEach(async () => {
  await rm(root, {recursive: true, force: true})
})

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {recursive: true, withFileTypes: true})
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort()
}

/**
 * The real file system, calling `look` after every call that changes a file, with writes cut into
 * chunks of `chunk` bytes (as a slow disk or a large value would land).
 */
function observedFileSystem(look: () => void, chunk: number): FileSystem {
  const observed = <A extends unknown[], R>(call: (...args: A) => R) => (...args: A): R => {
    const result = call(...args)
    look()
    return result
  }
  return {
    ...fs,
    openSync: observed(fs.openSync),
    fsyncSync: observed(fs.fsyncSync),
    closeSync: observed(fs.closeSync),
    renameSync: observed(fs.renameSync),
    ftruncateSync: observed(fs.ftruncateSync),
    writeSync: ((fd: number, buffer: Buffer, offset: number, length: number, position?: number | null) => {
      const written = fs.writeSync(fd, buffer, offset, Math.min(length, chunk), position)
      look()
      return written
    }) as unknown as typeof fs.writeSync,
  }
}

describe('FileStateStore', () => {
  it('reads undefined for a missing key and names its root as location', async () => {
    expect(await store.read('targets/web/ledger.json')).toBeUndefined()
    expect(store.location).toBe(path.resolve(root))
  })

  it('writes atomically, creating directories and leaving no temp files', async () => {
    await store.writeAtomic('targets/web/ledger.json', '{"a":1}')
    await store.writeAtomic('targets/web/ledger.json', '{"a":2}')
    expect(await store.read('targets/web/ledger.json')).toBe('{"a":2}')
    expect(await allFiles(root)).toEqual([path.join('targets', 'web', 'ledger.json')])
  })

  it('keeps the old value whole while many replacements race, as a reader sees it during each write', async () => {
    const values = Array.from({length: 20}, (_, i) => JSON.stringify({i, pad: 'x'.repeat(10_000)}))
    // A reader (on the real file system) looks at the key between every file system call of the
    // writers, whose writes land 1 KB at a time: a torn or emptied file would be seen.
    const seen: (string | undefined)[] = []
    const look = () => seen.push(readStateFile(path.join(root, 'k.json')))
    const racing = observedFileSystem(look, 1024)
    const writer = new FileStateStore(root, {fs: racing})
    await writer.writeAtomic('k.json', values[0]!)
    seen.length = 0
    await Promise.all(values.map((v) => writer.writeAtomic('k.json', v)))
    // Each of the 20 writes wrote 10 chunks or more, each chunk followed by a look.
    expect(seen.length).toBeGreaterThan(20 * 10)
    for (const value of seen) expect(values).toContain(value)
    const final = await store.read('k.json')
    expect(values).toContain(final)
    expect(await allFiles(root)).toEqual(['k.json'])
  })

  it('appends one line per call', async () => {
    await store.append('releases/web-1/journal.ndjson', 'one')
    await Promise.all(['two', 'three', 'four'].map((l) => store.append('releases/web-1/journal.ndjson', l)))
    const lines = (await store.read('releases/web-1/journal.ndjson'))!.split('\n')
    expect(lines[0]).toBe('one')
    expect(lines.slice(1, 4).sort()).toEqual(['four', 'three', 'two'])
    expect(lines[4]).toBe('')
    await expect(store.append('x', 'a\nb')).rejects.toThrow(/newline/)
  })

  it('creates exclusively: one winner among racers, existing keys untouched', async () => {
    const results = await Promise.all(
      Array.from({length: 10}, (_, i) => store.createExclusive('locks/web.json', `holder ${i}`)),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    const winner = results.indexOf(true)
    expect(await store.read('locks/web.json')).toBe(`holder ${winner}`)
    expect(await store.createExclusive('locks/web.json', 'late')).toBe(false)
    expect(await store.read('locks/web.json')).toBe(`holder ${winner}`)
    expect(await allFiles(root)).toEqual([path.join('locks', 'web.json')])
  })

  it('removes keys, missing ones included', async () => {
    await store.writeAtomic('a/b.json', 'x')
    await store.remove('a/b.json')
    await store.remove('a/b.json')
    expect(await store.read('a/b.json')).toBeUndefined()
    expect(await store.createExclusive('a/b.json', 'y')).toBe(true)
  })

  it('lists entries one level below a prefix, none when missing', async () => {
    await store.writeAtomic('targets/web/ledger.json', '{}')
    await store.writeAtomic('targets/api/ledger.json', '{}')
    await store.writeAtomic('targets/api/extra/deep.json', '{}')
    await store.writeAtomic('locks/web.json', '{}')
    // a temp file left by a crash is never reported
    await mkdir(path.join(root, 'locks'), {recursive: true})
    await writeFile(path.join(root, 'locks', '.web.json.123.abc.tmp'), 'partial')
    expect(await store.list('targets')).toEqual(['api', 'web'])
    expect(await store.list('targets/')).toEqual(['api', 'web'])
    expect(await store.list('targets/api')).toEqual(['extra', 'ledger.json'])
    expect(await store.list('locks')).toEqual(['web.json'])
    expect(await store.list('nothing/here')).toEqual([])
    expect(await store.list('locks/web.json')).toEqual([])
    expect(await store.list('')).toEqual(['locks', 'targets'])
  })

  it('refuses keys that escape the root', async () => {
    for (const key of ['../outside', 'a/../../b', '/etc/passwd', '', 'a/..']) {
      await expect(store.read(key)).rejects.toThrow()
      await expect(store.writeAtomic(key, 'x')).rejects.toThrow()
    }
    expect(await readdir(path.dirname(root))).not.toContain('outside')
  })

  it('says why a key is refused, even one that would stay inside the root', async () => {
    const cases: [string, RegExp][] = [
      ['', /must be a non-empty string/],
      ['a\0b', /contains a NUL byte/],
      ['/etc/passwd', /must be relative to/],
      ['C:\\x', /must be relative to/],
      // Inside the root once resolved, but a key never walks up: refused all the same.
      ['a/../b', /must not contain '\.\.'/],
      ['a\\..\\b', /must not contain '\.\.'/],
      ['..', /must not contain '\.\.'/],
    ]
    for (const [key, message] of cases) {
      expect(() => store.pathOf(key), JSON.stringify(key)).toThrow(message)
    }
    // A '..' inside a name is a name.
    expect(store.pathOf('a/..b/c..')).toBe(path.join(root, 'a', '..b', 'c..'))
    expect(store.pathOf('a/./b')).toBe(path.join(root, 'a', 'b'))
    await expect(store.writeAtomic('.', 'x')).rejects.toThrow(/is the state directory itself/)
    await expect(store.append('k', 'a\nb')).rejects.toThrow(/must not contain a newline/)
  })

  it('lists nothing below a file, and never a temp file of a crashed write', async () => {
    await store.writeAtomic('targets/web', 'a file where a directory could be')
    expect(await store.list('targets/web')).toEqual([])
    expect(await store.list('targets/web/deeper')).toEqual([])
    await writeFile(path.join(root, 'targets', '.x.tmp.json'), 'not a temp name: listed')
    await writeFile(path.join(root, 'targets', 'y.tmp'), 'not a temp name either')
    expect(await store.list('targets')).toEqual(['.x.tmp.json', 'web', 'y.tmp'])
  })

  it('removes a key whose directory is missing without creating it', async () => {
    await store.remove('nowhere/k.json')
    expect(await allFiles(root)).toEqual([])
    expect(await readdir(root)).toEqual([])
  })
})
