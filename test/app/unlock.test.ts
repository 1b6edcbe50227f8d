/**
 * `release unlock --force` never breaks the lease of a holder alive on this host, and a holder that is
 * a zombie (killed, not yet reaped) counts as gone (issue 15 items 4 and 5).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {readFileSync} from 'node:fs'
import os from 'node:os'
import {setImmediate as yieldToLoop} from 'node:timers/promises'
import {afterEach, describe, expect, it} from 'vitest'
import {locksOf, unlock} from '../../src/app/locks.js'
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
 * A real zombie: a shell starts a child that exits a moment later, then becomes `sleep`, which never waits
 * for it. Resolves with the zombie's pid once /proc shows it as one.
 */
async function makeZombie(): Promise<number> {
  // The child outlives the exec by a moment: a child that exited before it could be reaped by sh itself.
  parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], {stdio: ['ignore', 'pipe', 'ignore']})
  const pid = await new Promise<number>((resolve, reject) => {
    parent!.stdout!.once('data', (chunk: Buffer) => resolve(Number.parseInt(chunk.toString(), 10)))
    parent!.once('error', reject)
  })
  // Bounded: the child exits within moments; no fixed sleep, only turns of the event loop.
  const deadline = Date.now() + 5_000
  while (Date.now() < deadline) {
    const stat = readFileSync(`/proc/${pid}/stat`, {encoding: 'utf8', flag: 'r'})
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return pid
    await yieldToLoop()
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
