import {randomBytes} from 'node:crypto'
import {constants as fsConstants} from 'node:fs'
import {link, mkdir, open, readFile, readdir, rename, unlink} from 'node:fs/promises'
import path from 'node:path'
import {FenceError, fenceHolds, type Fence, type StateStore} from '../ports/store.js'

/** Temp files start with this and end with TEMP_SUFFIX so that `list` never reports them. */
const TEMP_PREFIX = '.'
const TEMP_SUFFIX = '.tmp'

/**
 * The default state backend: one directory, one file per key. Every replacement goes through a temp
 * file in the same directory, fsync and rename, so a crash leaves the old or the new value, never a
 * torn one.
 */
export class FileStateStore implements StateStore {
  readonly root: string
  readonly location: string

  constructor(root: string) {
    this.root = path.resolve(root)
    this.location = this.root
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
    try {
      return await readFile(this.pathOf(key), 'utf8')
    } catch (error) {
      if (errno(error) === 'ENOENT') return undefined
      throw error
    }
  }

  async writeAtomic(key: string, data: string, fence?: Fence): Promise<void> {
    const file = this.pathOf(key)
    const dir = path.dirname(file)
    await mkdir(dir, {recursive: true})
    const temp = await this.writeTemp(file, data)
    try {
      // Checked last, just before the write becomes visible.
      await this.checkFence(fence)
      await rename(temp, file)
    } catch (error) {
      await unlink(temp).catch(() => {})
      throw error
    }
    await syncDirectory(dir)
  }

  async append(key: string, line: string, fence?: Fence): Promise<void> {
    // One write of one line through O_APPEND: concurrent appenders never interleave within a line.
    if (line.includes('\n')) throw new Error(`a line appended to ${key} must not contain a newline`)
    const file = this.pathOf(key)
    await mkdir(path.dirname(file), {recursive: true})
    await this.checkFence(fence)
    const handle = await open(file, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT, 0o644)
    try {
      await handle.write(line + '\n')
      await handle.sync()
    } finally {
      await handle.close()
    }
  }

  async createExclusive(key: string, data: string): Promise<boolean> {
    const file = this.pathOf(key)
    const dir = path.dirname(file)
    await mkdir(dir, {recursive: true})
    // Write the full content to a temp file, then hard-link it into place: link fails with EEXIST
    // like open('wx'), but a reader can never see the key exists yet empty (a lease being written).
    const temp = await this.writeTemp(file, data)
    try {
      await link(temp, file)
      await syncDirectory(dir)
      return true
    } catch (error) {
      const code = errno(error)
      if (code === 'EEXIST') return false
      // File systems without hard links: fall back to an exclusive open.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
        return this.createExclusiveByOpen(file, data)
      }
      throw error
    } finally {
      await unlink(temp).catch(() => {})
    }
  }

  async remove(key: string, fence?: Fence): Promise<void> {
    await this.checkFence(fence)
    try {
      await unlink(this.pathOf(key))
    } catch (error) {
      if (errno(error) === 'ENOENT') return
      throw error
    }
  }

  async list(prefix: string): Promise<string[]> {
    const dir = prefix === '' || prefix === '.' ? this.root : this.pathOf(prefix.replace(/\/+$/, ''))
    try {
      const entries = await readdir(dir)
      return entries.filter((name) => !isTempName(name)).sort()
    } catch (error) {
      const code = errno(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') return []
      throw error
    }
  }

  /** Refuses the write (FenceError) unless the fence's lease still holds its token. */
  private async checkFence(fence: Fence | undefined): Promise<void> {
    if (fence === undefined) return
    const text = await this.read(fence.key)
    if (!fenceHolds(text, fence.token)) throw new FenceError(fence, text)
  }

  private async writeTemp(file: string, data: string): Promise<string> {
    const temp = path.join(
      path.dirname(file),
      `${TEMP_PREFIX}${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
    )
    const handle = await open(temp, 'wx', 0o644)
    try {
      await handle.writeFile(data, 'utf8')
      await handle.sync()
    } catch (error) {
      await handle.close().catch(() => {})
      await unlink(temp).catch(() => {})
      throw error
    }
    await handle.close()
    return temp
  }

  private async createExclusiveByOpen(file: string, data: string): Promise<boolean> {
    let handle
    try {
      handle = await open(file, 'wx', 0o644)
    } catch (error) {
      if (errno(error) === 'EEXIST') return false
      throw error
    }
    try {
      await handle.writeFile(data, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    return true
  }
}

function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)
}

function errno(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined
}

/** Makes a rename or link durable; not every platform can open a directory, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => {})
  }
}
