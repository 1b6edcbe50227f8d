/**
 * The file store's compare-and-set, beyond the contract suite (found by the mutation pass,
 * docs/dev/mutation.md): the marker two writers meet at, a marker left by a crashed writer, and a
 * value changed by another writer after the comparison but before the rename.
 */
import {createHash} from 'node:crypto'
import * as nodeFs from 'node:fs'
import {readdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'
import {FileStateStore} from '../../src/store/file.js'
import type {FileSystem} from '../../src/util/state-file.js'
import {tempDir} from '../fakes/temp.js'

const KEY = 'targets/web/ledger.json'
let root: string
let store: FileStateStore

beforeEach(() => {
  root = tempDir('release-cas-')
  store = new FileStateStore(root)
})

/** The marker a writer replacing `expected` creates next to the file. */
function markerOf(expected: string): string {
  return path.join(root, `${KEY}.cas-${createHash('sha256').update(expected).digest('hex').slice(0, 16)}`)
}

describe('compare-and-set of the file store', () => {
  it('leaves no marker behind, whether it wins or loses, and never lists one', async () => {
    await store.writeAtomic(KEY, 'r1')
    expect(await store.compareAndSet(KEY, 'r1', 'r2')).toBe(true)
    expect(await store.compareAndSet(KEY, 'r1', 'r3')).toBe(false)
    expect(await readdir(path.join(root, 'targets', 'web'))).toEqual(['ledger.json'])
    // A marker of a writer in the middle of its write is not a key.
    await writeFile(markerOf('r2'), String(Date.now()))
    expect(await store.list('targets/web')).toEqual(['ledger.json'])
  })

  it('loses to a writer holding the marker of the same value: nothing written', async () => {
    await store.writeAtomic(KEY, 'r1')
    await writeFile(markerOf('r1'), String(Date.now()))
    expect(await store.compareAndSet(KEY, 'r1', 'r2')).toBe(false)
    expect(await store.read(KEY)).toBe('r1')
    // The other writer's marker is its own to remove.
    expect(nodeFs.existsSync(markerOf('r1'))).toBe(true)
  })

  it('takes over a marker left by a crashed writer (old, or not a time at all)', async () => {
    for (const [left, next] of [[String(Date.now() - 60_000), 'r2'], ['garbage', 'r3']] as const) {
      const before = (await store.read(KEY)) ?? 'r1'
      await store.writeAtomic(KEY, before)
      await writeFile(markerOf(before), left)
      expect(await store.compareAndSet(KEY, before, next), left).toBe(true)
      expect(await store.read(KEY)).toBe(next)
      expect(nodeFs.existsSync(markerOf(before))).toBe(false)
    }
  })

  it('a marker a little younger than the staleness limit still holds', async () => {
    await store.writeAtomic(KEY, 'r1')
    await writeFile(markerOf('r1'), String(Date.now() - 20_000))
    expect(await store.compareAndSet(KEY, 'r1', 'r2')).toBe(false)
    expect(await store.read(KEY)).toBe('r1')
  })

  it('refuses, writing nothing, when another writer replaced the value after the comparison', async () => {
    await store.writeAtomic(KEY, 'r1')
    // The other writer (which does not use the marker, as `release unlock --force` or an editor would
    // not) replaces the file while this one writes its temp file.
    // It writes when this one writes its temp file: after the comparison, before the rename.
    let interfered = false
    const fs: FileSystem = {
      ...nodeFs,
      writeSync: ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: never[]) => {
        const written = (nodeFs.writeSync as (...args: unknown[]) => number)(fd, data, ...rest)
        const text = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString()
        if (!interfered && text.includes('r2')) {
          interfered = true
          nodeFs.writeFileSync(path.join(root, KEY), 'other')
        }
        return written
      }) as FileSystem['writeSync'],
    }
    const racing = new FileStateStore(root, {fs})
    expect(await racing.compareAndSet(KEY, 'r1', 'r2')).toBe(false)
    expect(interfered).toBe(true)
    expect(await store.read(KEY)).toBe('other')
    expect((await readdir(path.join(root, 'targets', 'web'))).sort()).toEqual(['ledger.json'])
  })

  it('compares over a key whose directory is missing without failing: false, nothing created', async () => {
    expect(await store.compareAndSet('nowhere/k.json', 'x', 'y')).toBe(false)
    expect(await store.read('nowhere/k.json')).toBeUndefined()
  })

  it('checks the fence before creating a key that was absent', async () => {
    await expect(store.compareAndSet(KEY, undefined, 'r1', {key: 'locks/web.json', token: 1})).rejects.toThrow(/refused a write fenced/)
    expect(await store.read(KEY)).toBeUndefined()
  })
})

describe('the file store beyond compare-and-set', () => {
  it('reading a key never creates its directories', async () => {
    expect(await store.read('a/b/c.json')).toBeUndefined()
    expect(await readdir(root)).toEqual([])
  })

  it('refuses to remove a directory as if it were a key', async () => {
    await store.writeAtomic('a/b/c.json', 'x')
    await expect(store.remove('a/b')).rejects.toThrow()
    expect(await store.read('a/b/c.json')).toBe('x')
  })

  it('lists sorted, whatever order the directory holds its entries in', async () => {
    for (const name of ['m', 'z', 'a', 'q', 'b']) await store.writeAtomic(`k/${name}`, name)
    expect(await store.list('k')).toEqual(['a', 'b', 'm', 'q', 'z'])
  })

  it('refuses to list through a link rather than listing nothing', async () => {
    const elsewhere = tempDir('release-cas-elsewhere-')
    await writeFile(path.join(elsewhere, 'secret'), 's')
    nodeFs.mkdirSync(path.join(root, 'targets'), {recursive: true, mode: 0o700})
    nodeFs.symlinkSync(elsewhere, path.join(root, 'targets', 'web'))
    await expect(store.list('targets/web')).rejects.toMatchObject({code: 'E_STATE_UNSAFE'})
  })
})
