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
    let interfered = false
    const fs: FileSystem = {
      ...nodeFs,
      fsyncSync: (fd) => {
        nodeFs.fsyncSync(fd)
        if (!interfered) {
          interfered = true
          nodeFs.writeFileSync(path.join(root, KEY), 'other')
        }
      },
    }
    const racing = new FileStateStore(root, {fs})
    expect(await racing.compareAndSet(KEY, 'r1', 'r2')).toBe(false)
    expect(interfered).toBe(true)
    expect(await store.read(KEY)).toBe('other')
    expect((await readdir(path.join(root, 'targets', 'web'))).sort()).toEqual(['ledger.json'])
  })

  it('checks the fence before creating a key that was absent', async () => {
    await expect(store.compareAndSet(KEY, undefined, 'r1', {key: 'locks/web.json', token: 1})).rejects.toThrow(/refused a write fenced/)
    expect(await store.read(KEY)).toBeUndefined()
  })
})
