/**
 * `release unlock --force` never breaks the lease of a holder alive on this host, and a holder that is
 * a zombie (killed, not yet reaped) counts as gone (issue 15 items 4 and 5).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {readFileSync} from 'node:fs'
import os from 'node:os'
import {setImmediate as yieldToLoop} from 'node:timers/promises'
import {afterEach, describe, expect, it} from 'vitest'
import {locksOf, refuseUnforced, unlock} from '../../src/app/locks.js'
import {acquireLease, isStale, readLease} from '../../src/engine/lease.js'
import {processState} from '../../src/util/process.js'
import {openProject} from '../fakes/workspace.js'

const TTL = 5 * 60_000
let parent: ChildProcess | undefined

afterEach(() => {
  if (parent?.pid !== undefined && parent.exitCode === null) parent.kill('SIGKILL')
  parent = undefined
})

/**
 * A real zombie, made in steps that each wait for an event rather than for time. The shell starts a child
 * (`cat`, holding the shell's stdin and stderr), prints its pid, and becomes `sleep`, which never waits for
 * children. Its stdout closing says the shell has exec'd (so it can no longer reap the child); closing the
 * child's stdin makes it exit; its stderr closing says it is exiting. A real process is essential: what is
 * proven is that /proc's state letter of an unreaped child is read as gone.
 */
async function makeZombie(): Promise<number> {
  const sh = spawn('sh', ['-c', 'exec 3<&0; cat <&3 >/dev/null 3<&- & echo $!; exec sleep 30 <&- 3<&- >/dev/null 2>/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  parent = sh
  const failed = new Promise<never>((_, reject) => sh.once('error', reject))
  const closed = (stream: NodeJS.ReadableStream) => new Promise<void>((resolve) => stream.once('end', resolve))
  let printed = ''
  sh.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()))
  const childExiting = closed(sh.stderr.resume())
  await Promise.race([closed(sh.stdout), failed])
  const pid = Number.parseInt(printed, 10)
  sh.stdin.end()
  await Promise.race([childExiting, failed])
  // Its files are closed first, then the kernel marks it a zombie: a bounded number of looks, no clock.
  for (let look = 0; look < 100_000; look += 1) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return pid
    if (look % 100 === 99) await yieldToLoop()
  }
  throw new Error(`process ${pid} did not become a zombie`)
}

describe('release unlock --force', () => {
  it('refuses to break the lease of a holder alive on this host (exit 4), leaving it in place', async () => {
    const {ws} = await openProject()
    await acquireLease(ws.store, 'web', {releaseId: 'web-1', ttlMs: TTL, now: ws.now})
    const error = await unlock(ws, 'web').catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_HOLDER_ALIVE', exitCode: 4})
    expect((error as Error).message).toContain(`pid ${process.pid}`)
    expect((error as Error).message).toMatch(/alive on this host/)
    expect((await readLease(ws.store, 'web'))?.pid).toBe(process.pid)
  })

  it('breaks the lease of a holder on another host, which it cannot see', async () => {
    const {ws} = await openProject()
    await acquireLease(ws.store, 'web', {releaseId: 'web-1', ttlMs: TTL, now: ws.now, identity: {host: 'elsewhere', pid: 4242}})
    expect((await unlock(ws, 'web')).removed?.holder).toMatch(/@elsewhere pid 4242$/)
    expect(await readLease(ws.store, 'web')).toBeUndefined()
  })

  it.runIf(process.platform === 'linux')('counts a zombie holder as gone: stale at once, and unlocked', async () => {
    const zombie = await makeZombie()
    expect(processState(zombie)).toBe('gone')
    const {ws} = await openProject()
    const lease = await acquireLease(ws.store, 'web', {releaseId: 'web-1', ttlMs: TTL, now: ws.now, identity: {pid: zombie}})
    expect(isStale(lease.record, ws.now())).toBe(true)
    expect((await locksOf(ws)).map((l) => l.stale)).toEqual([true])
    expect((await unlock(ws, 'web')).removed?.pid).toBe(zombie)
  })

  it('takes what the process inspector says: a holder it calls alive is refused, one it calls gone is unlocked', async () => {
    const {ws} = await openProject()
    await acquireLease(ws.store, 'web', {releaseId: 'web-1', ttlMs: TTL, now: ws.now, identity: {host: os.hostname(), pid: 777}})
    await expect(unlock(ws, 'web', {isAlive: () => true})).rejects.toMatchObject({code: 'E_HOLDER_ALIVE'})
    expect((await unlock(ws, 'web', {isAlive: () => false})).removed?.pid).toBe(777)
  })
})

describe('release unlock without --force', () => {
  it('says who holds the lock and how to break it, and leaves it (exit 2)', async () => {
    const {ws} = await openProject()
    await acquireLease(ws.store, 'web', {releaseId: 'web-1', ttlMs: TTL, now: ws.now, identity: {host: 'elsewhere', pid: 4242}})
    const error = await refuseUnforced(ws, 'web').catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_FORCE_REQUIRED', exitCode: 2, hint: 'if that holder is gone, run: release unlock web --force'})
    expect((error as Error).message).toMatch(/^web is locked by \S+@elsewhere pid 4242 for web-1 since .* \(expires .*\); nothing was changed$/)
    expect((await readLease(ws.store, 'web'))?.pid).toBe(4242)
  })

  it('says when nothing holds it', async () => {
    const {ws} = await openProject()
    await expect(refuseUnforced(ws, 'web')).rejects.toMatchObject({code: 'E_NOT_LOCKED'})
  })
})
