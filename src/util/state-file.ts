/**
 * The one way `release` writes its files (the state store and the simulated account's file): atomic
 * replacement through a temp file, appends that always end on a line boundary, every write checked for
 * its full length, files created owner-only (0600, directories 0700, whatever the umask), and no file
 * opened through a symbolic link or unless it is a regular file. A write that fails (a full disk)
 * leaves the previous content intact and says so, naming the error (E_STATE_WRITE).
 *
 * Synchronous on purpose: one seam (`FileSystem`) for tests to inject faults, and the callers (the
 * simulated account's lock, the store's fence check just before a rename) need no await in between.
 */
import {randomBytes} from 'node:crypto'
import * as nodeFs from 'node:fs'
import path from 'node:path'
import {UserError} from '../errors.js'

const {constants} = nodeFs

export type FileSystem = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'closeSync'
  | 'readSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'fstatSync'
  | 'ftruncateSync'
  | 'renameSync'
  | 'linkSync'
  | 'unlinkSync'
  | 'lstatSync'
  | 'mkdirSync'
  | 'readdirSync'
>

export const realFileSystem: FileSystem = nodeFs

export const FILE_MODE = 0o600
export const DIR_MODE = 0o700

/** Temp files start with this and end with TEMP_SUFFIX, so that listings can leave them out. */
export const TEMP_PREFIX = '.'
export const TEMP_SUFFIX = '.tmp'

// O_NOFOLLOW and O_NONBLOCK are absent on Windows: 0 leaves the flag out there.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0
const NONBLOCK = constants.O_NONBLOCK ?? 0

/** A state file that is not a plain file of ours: refused, its content never read nor shown. */
export function unsafeFile(file: string, problem: string): UserError {
  return new UserError(
    'E_STATE_UNSAFE',
    `${file} ${problem}: release only reads and writes regular files it created, never through a link`,
    `Move ${file} aside (release creates its state files itself), then retry; nothing was changed.`,
    2,
  )
}

/** A write that did not complete: the previous content is intact. */
export function writeFailed(file: string, error: unknown): UserError {
  const code = errnoOf(error)
  const what = code === 'ENOSPC' ? 'no space left on device (ENOSPC)' : code === 'EDQUOT' ? 'disk quota exceeded (EDQUOT)' : (error as Error).message
  return new UserError(
    'E_STATE_WRITE',
    `could not write ${file}: ${what}; its previous content is intact`,
    `Free space on the file system of ${path.dirname(file)} (df -h ${path.dirname(file)}), then run the command again; an interrupted release continues with release resume <target>.`,
    1,
  )
}

/** Errors of a write that the disk, not the program, caused: reported as E_STATE_WRITE. */
function isDiskError(error: unknown): boolean {
  const code = errnoOf(error)
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' || code === 'EIO' || code === 'ESHORTWRITE'
}

export function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined
}

/** Writes all of `data` at the fd's position (or at its end with O_APPEND), or throws. */
function writeAll(fs: FileSystem, fd: number, data: Buffer): void {
  let done = 0
  while (done < data.length) {
    const n = fs.writeSync(fd, data, done, data.length - done)
    // A write that makes no progress is a full disk that did not say so.
    if (!(n > 0)) throw Object.assign(new Error(`short write: ${done} of ${data.length} bytes`), {code: 'ESHORTWRITE'})
    done += n
  }
}

/**
 * The directories from `root` (trusted, created if missing) down to `dir`, each a real directory:
 * none is followed through a link. Created 0700 when `create`; false when one is missing otherwise.
 */
export function checkDirectories(fs: FileSystem, root: string, dir: string, create: boolean): boolean {
  if (create) fs.mkdirSync(root, {recursive: true, mode: DIR_MODE})
  const relative = path.relative(root, dir)
  if (relative === '') return true
  let current = root
  for (const part of relative.split(path.sep)) {
    current = path.join(current, part)
    let stat: nodeFs.Stats | undefined
    try {
      stat = fs.lstatSync(current)
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error
    }
    if (stat === undefined) {
      if (!create) return false
      try {
        fs.mkdirSync(current, {mode: DIR_MODE})
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw error
      }
      stat = fs.lstatSync(current)
    }
    if (stat.isSymbolicLink()) throw unsafeFile(current, 'is a symbolic link')
    if (!stat.isDirectory()) throw unsafeFile(current, 'is not a directory')
  }
  return true
}

/** Opens without following a link and without blocking on a FIFO; refuses anything but a regular file. */
function openRegular(fs: FileSystem, file: string, flags: number, mode = FILE_MODE): number {
  let fd: number
  try {
    fd = fs.openSync(file, flags | NOFOLLOW | NONBLOCK, mode)
  } catch (error) {
    const code = errnoOf(error)
    if (code === 'ELOOP' || code === 'EMLINK') throw unsafeFile(file, 'is a symbolic link')
    if (code === 'ENXIO') throw unsafeFile(file, 'is not a regular file (a FIFO or socket)')
    if (code === 'EISDIR') throw unsafeFile(file, 'is a directory')
    throw error
  }
  const stat = fs.fstatSync(fd)
  if (!stat.isFile()) {
    fs.closeSync(fd)
    throw unsafeFile(file, 'is not a regular file')
  }
  return fd
}

/** The file's content; undefined when it does not exist. */
export function readStateFile(file: string, fs: FileSystem = realFileSystem): string | undefined {
  return readStateBytes(file, 0, fs)?.toString('utf8')
}

/**
 * The file's bytes from `from` to its end (none when it is shorter); undefined when it does not
 * exist. What lets a reader that follows a growing file read only what was appended since its last look.
 */
export function readStateBytes(file: string, from: number, fs: FileSystem = realFileSystem): Buffer | undefined {
  let fd: number
  try {
    fd = openRegular(fs, file, constants.O_RDONLY)
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined
    throw error
  }
  try {
    const size = fs.fstatSync(fd).size
    const chunks: Buffer[] = []
    let total = 0
    // Read to the end, whatever fstat said: the file may grow while we read (an append).
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.max(65_536, size - from - total))
      const n = fs.readSync(fd, buffer, 0, buffer.length, from + total)
      if (n <= 0) break
      chunks.push(buffer.subarray(0, n))
      total += n
    }
    return Buffer.concat(chunks, total)
  } finally {
    fs.closeSync(fd)
  }
}

/** Writes `data` to a new temp file beside `file` (0600, fsynced unless `durable` is false); returns its path. */
export function writeTempFile(file: string, data: string, fs: FileSystem = realFileSystem, durable = true): string {
  const temp = path.join(path.dirname(file), `${TEMP_PREFIX}${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`)
  const fd = fs.openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, FILE_MODE)
  try {
    writeAll(fs, fd, Buffer.from(data, 'utf8'))
    if (durable) fs.fsyncSync(fd)
  } catch (error) {
    closeQuietly(fs, fd)
    unlinkQuietly(fs, temp)
    throw isDiskError(error) ? writeFailed(file, error) : error
  }
  fs.closeSync(fd)
  return temp
}

/**
 * Replaces `file` with `data`: a reader sees the old or the new content, never a torn one. `beforeCommit`
 * runs once the new content is safely on disk, just before it replaces the old (a fence check).
 *
 * `durable: false` leaves out the two fsyncs (the file's and its directory's), for a file that must
 * survive a killed process but not a crash of the machine: the rename alone keeps it whole for every
 * reader, and the machine's crash may take the last writes back. The simulated account's file and the
 * config cache, written on every simulated AWS call and every changed release.yml: their fsyncs were
 * about as long as the rest of a release's run (#17).
 */
export function writeFileAtomic(file: string, data: string, options: {fs?: FileSystem; beforeCommit?: () => void; durable?: boolean} = {}): void {
  const fs = options.fs ?? realFileSystem
  const durable = options.durable ?? true
  refuseNonRegular(fs, file)
  const temp = writeTempFile(file, data, fs, durable)
  try {
    options.beforeCommit?.()
    fs.renameSync(temp, file)
  } catch (error) {
    unlinkQuietly(fs, temp)
    throw isDiskError(error) ? writeFailed(file, error) : error
  }
  if (durable) syncDirectory(fs, path.dirname(file))
}

/**
 * Appends one line (or several, joined, with `lines`). A last line left torn by an earlier crash or full disk (no newline at its end) is
 * cut off first, as readers already treat it as never written, so it is never glued to this one. A
 * failed append is cut back off: the file is as it was.
 */
export function appendLine(file: string, line: string, options: {fs?: FileSystem; beforeWrite?: () => void; lines?: boolean} = {}): void {
  const fs = options.fs ?? realFileSystem
  // `lines`: several lines joined by newlines, written in one write (the caller checked each).
  if (!options.lines && line.includes('\n')) throw new Error(`a line appended to ${file} must not contain a newline`)
  const fd = openRegular(fs, file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT)
  try {
    options.beforeWrite?.()
    let size = fs.fstatSync(fd).size
    if (size > 0 && !endsWithNewline(fs, fd, size)) {
      size = lastLineBoundary(fs, fd, size)
      fs.ftruncateSync(fd, size)
    }
    try {
      writeAll(fs, fd, Buffer.from(line + '\n', 'utf8'))
      fs.fsyncSync(fd)
    } catch (error) {
      try {
        fs.ftruncateSync(fd, size)
        fs.fsyncSync(fd)
      } catch {
        // the torn tail is cut off by the next append, and readers ignore it meanwhile
      }
      throw isDiskError(error) ? writeFailed(file, error) : error
    }
  } finally {
    closeQuietly(fs, fd)
  }
}

/** Creates `file` with `data` only if it does not exist (false then); never visible half-written. */
export function createFileExclusive(file: string, data: string, fs: FileSystem = realFileSystem): boolean {
  const temp = writeTempFile(file, data, fs)
  try {
    fs.linkSync(temp, file)
    syncDirectory(fs, path.dirname(file))
    return true
  } catch (error) {
    const code = errnoOf(error)
    if (code === 'EEXIST') return false
    // File systems without hard links: an exclusive open, written in full or removed again.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createByOpen(fs, file, data)
    throw isDiskError(error) ? writeFailed(file, error) : error
  } finally {
    unlinkQuietly(fs, temp)
  }
}

function createByOpen(fs: FileSystem, file: string, data: string): boolean {
  let fd: number
  try {
    fd = fs.openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, FILE_MODE)
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false
    throw error
  }
  try {
    writeAll(fs, fd, Buffer.from(data, 'utf8'))
    fs.fsyncSync(fd)
  } catch (error) {
    closeQuietly(fs, fd)
    unlinkQuietly(fs, file)
    throw isDiskError(error) ? writeFailed(file, error) : error
  }
  fs.closeSync(fd)
  return true
}

/** Something that is not a regular file where a state file belongs is refused, not replaced. */
function refuseNonRegular(fs: FileSystem, file: string): void {
  let stat: nodeFs.Stats
  try {
    stat = fs.lstatSync(file)
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return
    throw error
  }
  if (stat.isSymbolicLink()) throw unsafeFile(file, 'is a symbolic link')
  if (!stat.isFile()) throw unsafeFile(file, 'is not a regular file')
}

function endsWithNewline(fs: FileSystem, fd: number, size: number): boolean {
  const last = Buffer.alloc(1)
  fs.readSync(fd, last, 0, 1, size - 1)
  return last[0] === 0x0a
}

/** The offset just after the last newline before `size` (0 when there is none). */
function lastLineBoundary(fs: FileSystem, fd: number, size: number): number {
  const chunk = Buffer.alloc(65_536)
  let end = size
  while (end > 0) {
    const start = Math.max(0, end - chunk.length)
    const n = fs.readSync(fd, chunk, 0, end - start, start)
    const at = chunk.subarray(0, n).lastIndexOf(0x0a)
    if (at >= 0) return start + at + 1
    end = start
  }
  return 0
}

/** Makes a rename or link durable; not every platform can open a directory, which is fine. */
function syncDirectory(fs: FileSystem, dir: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, constants.O_RDONLY)
    fs.fsyncSync(fd)
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeQuietly(fs, fd)
  }
}

function closeQuietly(fs: FileSystem, fd: number): void {
  try {
    fs.closeSync(fd)
  } catch {
    // already closed
  }
}

function unlinkQuietly(fs: FileSystem, file: string): void {
  try {
    fs.unlinkSync(file)
  } catch {
    // gone already
  }
}
