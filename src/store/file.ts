import {createHash} from 'node:crypto'
import path from 'node:path'
import {FenceError, fenceHolds, linesOf, type Fence, type StateStore} from '../ports/store.js'
import {
  appendLine,
  checkDirectories,
  createFileExclusive,
  errnoOf,
  readStateBytes,
  readStateFile,
  realFileSystem,
  TEMP_PREFIX,
  TEMP_SUFFIX,
  unsafeFile,
  writeFileAtomic,
  type FileSystem,
} from '../util/state-file.js'

export interface FileStateStoreOptions {
  /** The file system calls (tests inject a full disk here). */
  fs?: FileSystem
}

/**
 * The default state backend: one directory, one file per key, written through src/util/state-file.ts:
 * every replacement goes through a temp file, fsync and rename, so a crash or a full disk leaves the
 * old or the new value, never a torn one; appends end on a line boundary; nothing is opened through
 * a symbolic link, and files are owner-only.
 */
export class FileStateStore implements StateStore {
  readonly root: string
  readonly location: string
  private readonly fs: FileSystem

  constructor(root: string, options: FileStateStoreOptions = {}) {
    this.root = path.resolve(root)
    this.location = this.root
    this.fs = options.fs ?? realFileSystem
  }

  /** Absolute path of a key; refuses keys that would escape the root (absolute, `..`, empty). */
  pathOf(key: string): string {
    if (typeof key !== 'string' || key.length === 0) throw new Error(`state key must be a non-empty string`)
    if (key.includes('\0')) throw new Error(`state key ${JSON.stringify(key)} contains a NUL byte`)
    if (path.isAbsolute(key) || path.win32.isAbsolute(key)) {
      throw new Error(`state key ${JSON.stringify(key)} must be relative to ${this.root}`)
    }
    const segments = key.split(/[\\/]/)
    if (segments.some((s) => s === '..')) {
      throw new Error(`state key ${JSON.stringify(key)} must not contain '..'`)
    }
    const resolved = path.resolve(this.root, key)
    if (resolved !== this.root && !resolved.startsWith(this.root + path.sep)) {
      throw new Error(`state key ${JSON.stringify(key)} escapes ${this.root}`)
    }
    return resolved
  }

  async read(key: string): Promise<string | undefined> {
    return this.readNow(key)
  }

  async readFrom(key: string, offset: number): Promise<Buffer> {
    const file = this.pathOf(key)
    if (!checkDirectories(this.fs, this.root, path.dirname(file), false)) return Buffer.alloc(0)
    return readStateBytes(file, offset, this.fs) ?? Buffer.alloc(0)
  }

  async writeAtomic(key: string, data: string, fence?: Fence): Promise<void> {
    const file = this.fileFor(key, true)
    // The fence is checked last, once the new value is on disk, just before it replaces the old one.
    writeFileAtomic(file, data, {fs: this.fs, beforeCommit: () => this.checkFence(fence)})
  }

  async append(key: string, lines: string | readonly string[], fence?: Fence): Promise<void> {
    const list = linesOf(key, lines)
    const file = this.fileFor(key, true)
    appendLine(file, list.join('\n'), {fs: this.fs, beforeWrite: () => this.checkFence(fence), lines: true})
  }

  async createExclusive(key: string, data: string): Promise<boolean> {
    return createFileExclusive(this.fileFor(key, true), data, this.fs)
  }

  /**
   * Two writers of one directory are kept apart by a marker named after the value they both read:
   * whoever creates it exclusively is the only one allowed to replace that value, and it compares
   * again just before its rename. A marker left by a crashed writer is ignored once it is old.
   */
  async compareAndSet(key: string, expected: string | undefined, data: string, fence?: Fence): Promise<boolean> {
    if (expected === undefined) {
      this.checkFence(fence)
      return this.createExclusive(key, data)
    }
    const file = this.fileFor(key, true)
    const marker = `${file}${CAS_INFIX}${createHash('sha256').update(expected).digest('hex').slice(0, 16)}`
    if (!createFileExclusive(marker, String(Date.now()), this.fs)) {
      const since = Number.parseInt(readStateFile(marker, this.fs) ?? '', 10)
      if (Number.isFinite(since) && Date.now() - since < STALE_MARKER_MS) return false
      unlinkQuiet(this.fs, marker)
      if (!createFileExclusive(marker, String(Date.now()), this.fs)) return false
    }
    try {
      if (this.readNow(key) !== expected) return false
      try {
        writeFileAtomic(file, data, {
          fs: this.fs,
          beforeCommit: () => {
            this.checkFence(fence)
            if (this.readNow(key) !== expected) throw CHANGED
          },
        })
      } catch (error) {
        if (error === CHANGED) return false
        throw error
      }
      return true
    } finally {
      unlinkQuiet(this.fs, marker)
    }
  }

  async remove(key: string, fence?: Fence): Promise<void> {
    this.checkFence(fence)
    const file = this.pathOf(key)
    if (!checkDirectories(this.fs, this.root, path.dirname(file), false)) return
    try {
      // unlink removes a link itself, never what it points to.
      this.fs.unlinkSync(file)
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return
      throw error
    }
  }

  async list(prefix: string): Promise<string[]> {
    const dir = prefix === '' || prefix === '.' ? this.root : this.pathOf(prefix.replace(/\/+$/, ''))
    try {
      if (!checkDirectories(this.fs, this.root, dir, false)) return []
      const entries = this.fs.readdirSync(dir)
      return entries.filter((name) => !isTempName(name)).sort()
    } catch (error) {
      const code = errnoOf(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') return []
      // A listing below a file (e.g. `targets/web` being a file) lists nothing.
      if (error instanceof Error && 'code' in error && error.code === 'E_STATE_UNSAFE' && /is not a directory/.test(error.message)) return []
      throw error
    }
  }

  private readNow(key: string): string | undefined {
    const file = this.pathOf(key)
    if (!checkDirectories(this.fs, this.root, path.dirname(file), false)) return undefined
    return readStateFile(file, this.fs)
  }

  /** The key's path, its directories checked (and created 0700 when `create`). */
  private fileFor(key: string, create: boolean): string {
    const file = this.pathOf(key)
    checkDirectories(this.fs, this.root, path.dirname(file), create)
    if (file === this.root) throw unsafeFile(file, 'is the state directory itself')
    return file
  }

  /** Refuses the write (FenceError) unless the fence's lease still holds its token. */
  private checkFence(fence: Fence | undefined): void {
    if (fence === undefined) return
    const text = this.readNow(fence.key)
    if (!fenceHolds(text, fence.token)) throw new FenceError(fence, text)
  }
}

function isTempName(name: string): boolean {
  return (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)) || name.includes(CAS_INFIX)
}

/** Compare-and-set markers: `<file>.cas-<hash of the value replaced>`. */
const CAS_INFIX = '.cas-'
/** A marker older than this was left by a writer that crashed (a write takes milliseconds). */
const STALE_MARKER_MS = 30_000
const CHANGED = new Error('changed since read')

function unlinkQuiet(fs: FileSystem, file: string): void {
  try {
    fs.unlinkSync(file)
  } catch {
    // Already gone.
  }
}
