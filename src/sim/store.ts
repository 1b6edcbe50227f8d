import {randomBytes} from 'node:crypto'
import {closeSync, constants, lstatSync, mkdirSync, openSync, unlinkSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {UserError} from '../errors.js'
import {isProcessAlive} from '../util/process.js'
import {readStateFile, writeFileAtomic} from '../util/state-file.js'

/**
 * The simulated account's file: `dir/account.json`, replaced atomically (temporary file + rename),
 * guarded by `dir/account.lock` (created with O_EXCL, holding the owner's pid) so that separate CLI
 * processes never lose each other's changes. A lock whose process is gone, or older than STALE_MS,
 * is taken over. Work under the lock is synchronous, so calls within one process never interleave.
 */

const STALE_MS = 5_000
const TIMEOUT_MS = 15_000

interface LockHolder {
  pid: number
  owner: string
  at: number
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

/** This process, or another one still running (a zombie counts as gone). */
function processAlive(pid: number): boolean {
  return pid === process.pid || isProcessAlive(pid)
}

function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

export class AccountFile {
  readonly path: string
  readonly lockPath: string
  /** Identity of the file version last read or written here; a different one means another process wrote. */
  private seen: string | undefined

  constructor(readonly dir: string) {
    mkdirSync(dir, {recursive: true})
    this.path = join(dir, 'account.json')
    this.lockPath = join(dir, 'account.lock')
  }

  private signature(): string {
    try {
      const stat = lstatSync(this.path, {bigint: true})
      return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 'absent'
      throw error
    }
  }

  /** The parsed file when it changed since it was last read or written here; `unchanged` otherwise. */
  readIfChanged(): {unchanged: true} | {unchanged: false; value: unknown} {
    const signature = this.signature()
    if (signature === this.seen) return {unchanged: true}
    if (signature === 'absent') {
      this.seen = signature
      return {unchanged: false, value: undefined}
    }
    // Through the state-file reader: a link or a FIFO in place of the account is refused, never followed.
    const text = readStateFile(this.path)
    if (text === undefined) {
      this.seen = 'absent'
      return {unchanged: false, value: undefined}
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw this.corrupted((error as Error).message)
    }
    this.seen = signature
    return {unchanged: false, value}
  }

  /** The next read loads the file whatever it holds (after a failed call whose changes are dropped). */
  forget(): void {
    this.seen = undefined
  }

  corrupted(problem: string): UserError {
    return new UserError(
      'E_SIM_STATE_CORRUPT',
      `The simulated AWS account state ${this.path} is corrupted: ${problem}`,
      `Restore ${this.path}, or move it away to start a fresh simulated account (its stacks and instances are then forgotten).`,
      2,
    )
  }

  /**
   * Replaced atomically and checked for its full length: a full disk leaves the previous file intact.
   * Not fsynced: a killed process leaves it whole, and a simulation need not outlive a crash of the machine.
   */
  write(text: string): void {
    writeFileAtomic(this.path, text, {durable: false})
    this.seen = this.signature()
  }

  /** Runs `work` (synchronous) under the cross-process lock, waiting asynchronously for it. */
  async withLock<T>(work: () => T): Promise<T> {
    const owner = randomBytes(8).toString('hex')
    const deadline = Date.now() + TIMEOUT_MS
    while (!this.tryLock(owner)) {
      if (Date.now() > deadline) throw this.lockedError()
      await sleep(5 + Math.random() * 20)
    }
    try {
      return work()
    } finally {
      this.unlock(owner)
    }
  }

  /** Same, blocking the thread while it waits (for synchronous callers such as SimAccount.open). */
  withLockSync<T>(work: () => T): T {
    const owner = randomBytes(8).toString('hex')
    const deadline = Date.now() + TIMEOUT_MS
    while (!this.tryLock(owner)) {
      if (Date.now() > deadline) throw this.lockedError()
      blockFor(5 + Math.random() * 20)
    }
    try {
      return work()
    } finally {
      this.unlock(owner)
    }
  }

  private tryLock(owner: string): boolean {
    const holder: LockHolder = {pid: process.pid, owner, at: Date.now()}
    try {
      const fd = openSync(this.lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600)
      try {
        writeSync(fd, JSON.stringify(holder))
      } finally {
        closeSync(fd)
      }
      return true
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error
    }
    this.removeIfStale()
    return false
  }

  private readHolder(): {text: string; holder?: LockHolder; ageMs: number} | undefined {
    try {
      const text = readStateFile(this.lockPath)
      if (text === undefined) return undefined
      const ageMs = Date.now() - lstatSync(this.lockPath).mtimeMs
      let holder: LockHolder | undefined
      try {
        holder = JSON.parse(text) as LockHolder
      } catch {
        // being written right now, or garbage: judged by its age alone
      }
      return {text, holder, ageMs}
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined
      throw error
    }
  }

  private removeIfStale(): void {
    const current = this.readHolder()
    if (!current) return
    const dead = current.holder !== undefined && typeof current.holder.pid === 'number' && !processAlive(current.holder.pid)
    if (!dead && current.ageMs <= STALE_MS) return
    try {
      // Only the lock we judged stale: another process may have just replaced it.
      if (readStateFile(this.lockPath) === current.text) unlinkSync(this.lockPath)
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error
    }
  }

  private unlock(owner: string): void {
    try {
      const text = readStateFile(this.lockPath)
      if (text !== undefined && (JSON.parse(text) as LockHolder).owner === owner) unlinkSync(this.lockPath)
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' && !(error instanceof SyntaxError)) throw error
    }
  }

  private lockedError(): UserError {
    const holder = this.readHolder()?.holder
    const who = holder ? `process ${holder.pid} since ${new Date(holder.at).toISOString()}` : 'another process'
    return new UserError(
      'E_SIM_LOCKED',
      `The simulated AWS account in ${this.dir} is locked by ${who}`,
      `Wait for that command to finish; if no such process runs, remove ${this.lockPath}.`,
      1,
    )
  }
}
