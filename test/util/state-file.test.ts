import * as fs from 'node:fs'
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {type FileSystem, writeFileAtomic} from '../../src/util/state-file.js'

/** The real file system, noting which descriptors' content was forced to the disk (fsync). */
function syncsNoted(): {fs: FileSystem; synced: string[]} {
  const synced: string[] = []
  const opened = new Map<number, string>()
  return {
    synced,
    fs: {
      ...fs,
      openSync: ((file: string, ...rest: [number, number?]) => {
        const fd = fs.openSync(file, ...rest)
        opened.set(fd, file)
        return fd
      }) as typeof fs.openSync,
      fsyncSync: (fd: number) => {
        fs.fsyncSync(fd)
        synced.push(opened.get(fd) ?? '?')
      },
    },
  }
}

describe('writeFileAtomic', () => {
  it('forces the new content and the rename to the disk: the file and its directory are fsynced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-state-file-'))
    const file = join(dir, 'ledger.json')
    writeFileSync(file, 'old')
    const {fs: noted, synced} = syncsNoted()
    writeFileAtomic(file, 'new', {fs: noted})
    expect(readFileSync(file, 'utf8')).toBe('new')
    expect(readdirSync(dir)).toEqual(['ledger.json'])
    // The temp file's content before the rename, then the directory that holds the rename.
    expect(synced).toEqual([expect.stringContaining(join(dir, '.')), dir])
  })

  it('durable: false replaces the file as atomically, without waiting for the disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-state-file-'))
    const file = join(dir, 'account.json')
    writeFileSync(file, 'old')
    const {fs: noted, synced} = syncsNoted()
    writeFileAtomic(file, 'new', {fs: noted, durable: false})
    expect(readFileSync(file, 'utf8')).toBe('new')
    expect(readdirSync(dir)).toEqual(['account.json'])
    expect(synced).toEqual([])
  })
})
