import {appendFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseCondition, waitForRelease, type WaitHooks} from '../../src/app/wait.js'
import type {Workspace} from '../../src/app/workspace.js'
import {appendJournal} from '../../src/engine/journal.js'
import {acquireLease, type Lease} from '../../src/engine/lease.js'
import {UserError} from '../../src/errors.js'
import {openProject} from '../fakes/workspace.js'

/** A wall clock that only moves when the wait sleeps; `then` runs at each sleep, to move the release on. */
function fakeTime(then: (elapsedMs: number, sleeps: number) => Promise<void> | void = () => {}) {
  const start = Date.now()
  let t = start
  const slept: number[] = []
  const hooks: WaitHooks = {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms)
      t += ms
      await then(t - start, slept.length)
    },
  }
  return {hooks, slept, elapsed: () => t - start}
}

/** A release begun in the ledger, its lease held by this test process (alive, so never stale). */
async function running(ws: Workspace, version = '1.0.0'): Promise<{id: string; lease: Lease}> {
  const seq = (await ws.ledger.read('web')).releases.length + 1
  const lease = await acquireLease(ws.store, 'web', {releaseId: `web-${seq}`, ttlMs: 24 * 3_600_000, now: ws.now})
  const record = await ws.ledger.begin('web', {version, strategy: 'immutable', kind: 'rollout'})
  return {id: record.id, lease}
}

async function moveTo(ws: Workspace, id: string, state: string) {
  await appendJournal(ws.store, id, {type: 'transition', state, now: ws.now})
  await ws.ledger.update('web', id, {state})
}

async function end(ws: Workspace, id: string, lease: Lease, state: 'succeeded' | 'rolledBack' | 'failed') {
  await moveTo(ws, id, state)
  await ws.ledger.finish('web', id, {state, outcome: state, message: `${id} ${state}`})
  await lease.release()
}

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(UserError)
  return error as UserError
}

describe('release wait', () => {
  it('follows a running release to its end and exits by its outcome, polling 250 ms up to 2 s', async () => {
    const {ws} = await openProject()
    const {id, lease} = await running(ws)
    const changes: string[] = []
    const time = fakeTime(async (_elapsed, sleeps) => {
      if (sleeps === 6) await moveTo(ws, id, 'provisioning')
      if (sleeps === 8) await end(ws, id, lease, 'succeeded')
    })
    const result = await waitForRelease(ws, {target: 'web'}, {...time.hooks, onChange: (r) => changes.push(`${r.state}/${r.outcome}`)})
    expect(result).toMatchObject({exitCode: 0, ended: 'met', status: {target: 'web', liveVersion: '1.0.0', release: {id, outcome: 'succeeded'}}})
    expect(changes).toEqual(['provisioning/inProgress', 'succeeded/succeeded'])
    // The schedule's shape, not its figures: quick at first, never beyond 2 s, quick again after a change.
    expect(Math.min(...time.slept)).toBeGreaterThanOrEqual(250)
    expect(Math.max(...time.slept)).toBeLessThanOrEqual(2000)
    expect(time.slept[0]).toBeLessThan(2000)
    expect(time.slept[6]).toBeLessThan(time.slept[5]!)
  })

  it.each([
    ['rolledBack', 3],
    ['failed', 1],
  ] as const)('a release that ended %s exits %i at once', async (outcome, code) => {
    const {ws} = await openProject()
    const {id, lease} = await running(ws)
    await end(ws, id, lease, outcome)
    const time = fakeTime()
    const result = await waitForRelease(ws, {target: 'web'}, time.hooks)
    expect(result.exitCode).toBe(code)
    expect(result.status.release).toMatchObject({id, outcome})
    expect(time.slept).toEqual([])
  })

  it('has no hidden cap: an hour-long release is an hour-long wait', async () => {
    const {ws} = await openProject()
    const {id, lease} = await running(ws)
    const time = fakeTime(async (elapsed) => {
      if (elapsed >= 3_600_000) await end(ws, id, lease, 'succeeded')
    })
    const result = await waitForRelease(ws, {target: 'web'}, time.hooks)
    expect(result.exitCode).toBe(0)
    expect(time.elapsed()).toBeGreaterThanOrEqual(3_600_000)
    expect(Math.max(...time.slept)).toBe(2000)
  })

  it('times out with exit 5 and the status, leaving the release running', async () => {
    const {ws} = await openProject()
    const {id} = await running(ws)
    const time = fakeTime()
    const result = await waitForRelease(ws, {target: 'web', timeoutMs: 5_000}, time.hooks)
    expect(result).toMatchObject({exitCode: 5, ended: 'timedOut', status: {release: {id, outcome: 'inProgress'}, interrupted: false}})
    expect(time.elapsed()).toBe(5_000)
  })

  it('reports a release nobody holds as interrupted (exit 1), naming release resume', async () => {
    const {ws} = await openProject()
    const {id, lease} = await running(ws)
    await moveTo(ws, id, 'shifting')
    const time = fakeTime(async (_elapsed, sleeps) => {
      // Its process dies: the lease goes, the ledger stays in progress.
      if (sleeps === 2) await lease.release()
    })
    const error = await rejection(waitForRelease(ws, {target: 'web'}, time.hooks))
    expect(error).toMatchObject({code: 'E_INTERRUPTED', exitCode: 1})
    expect(error.message).toMatch(/web-1 .* interrupted at shifting/)
    expect(error.hint).toBe('continue it with: release resume web')
  })

  it('a stale lease (its holder gone) is no holder either', async () => {
    const {ws} = await openProject()
    await running(ws)
    const error = await rejection(waitForRelease(ws, {target: 'web'}, {...fakeTime().hooks, isStale: () => true}))
    expect(error).toMatchObject({code: 'E_INTERRUPTED', exitCode: 1})
    expect(error.message).toMatch(/stale/)
  })

  it('stops at a gate (exit 10) by default; --for succeeded waits through it until a person promotes', async () => {
    const {ws} = await openProject()
    const {id, lease} = await running(ws)
    await moveTo(ws, id, 'pausedBeforeShift')
    await ws.ledger.update('web', id, {outcome: 'paused'})
    await lease.release()
    expect((await waitForRelease(ws, {target: 'web'}, fakeTime().hooks)).exitCode).toBe(10)
    expect((await waitForRelease(ws, {target: 'web', for: 'paused'}, fakeTime().hooks)).exitCode).toBe(10)

    let promoted: Lease | undefined
    const time = fakeTime(async (_elapsed, sleeps) => {
      if (sleeps === 3) {
        promoted = await acquireLease(ws.store, 'web', {releaseId: id, ttlMs: 3_600_000, now: ws.now})
        await ws.ledger.update('web', id, {outcome: 'inProgress'})
        await moveTo(ws, id, 'shifting')
      }
      if (sleeps === 5) await end(ws, id, promoted!, 'succeeded')
    })
    const result = await waitForRelease(ws, {target: 'web', for: 'succeeded'}, time.hooks)
    expect(result).toMatchObject({exitCode: 0, status: {liveVersion: '1.0.0', release: {outcome: 'succeeded'}}})
  })

  it('--for succeeded ends at once with the exit code of another end', async () => {
    const {ws} = await openProject()
    const {id, lease} = await running(ws)
    await end(ws, id, lease, 'rolledBack')
    expect((await waitForRelease(ws, {target: 'web', for: 'succeeded'}, fakeTime().hooks)).exitCode).toBe(3)
  })

  it('--for STATE: met (exit 0) when the release is there, or has passed through it between two looks', async () => {
    const {ws} = await openProject()
    const {id, lease} = await running(ws)
    const time = fakeTime(async (_elapsed, sleeps) => {
      if (sleeps === 2) {
        await moveTo(ws, id, 'baking')
        await moveTo(ws, id, 'retiring')
      }
    })
    const result = await waitForRelease(ws, {target: 'web', for: 'baking'}, time.hooks)
    expect(result).toMatchObject({exitCode: 0, ended: 'met', record: {state: 'retiring', outcome: 'inProgress'}})
    expect(time.slept).toHaveLength(2)

    await end(ws, id, lease, 'rolledBack')
    expect((await waitForRelease(ws, {target: 'web', for: 'verifying'}, fakeTime().hooks)).exitCode).toBe(3)
  })

  it('refuses a state the machine does not have, no release, an unknown target, a bad --for (exit 2)', async () => {
    const {ws} = await openProject()
    expect(await rejection(waitForRelease(ws, {target: 'web'}, fakeTime().hooks))).toMatchObject({code: 'E_NO_RELEASE', exitCode: 2})
    expect(await rejection(waitForRelease(ws, {target: 'api'}, fakeTime().hooks))).toMatchObject({code: 'E_UNKNOWN_TARGET', exitCode: 2})
    await running(ws)
    const unknown = await rejection(waitForRelease(ws, {target: 'web', for: 'bakeing'}, fakeTime().hooks))
    expect(unknown).toMatchObject({code: 'E_UNKNOWN_STATE', exitCode: 2})
    expect(unknown.hint).toMatch(/baking/)
    expect(() => parseCondition('a b')).toThrow(UserError)
  })

  it('waits on the release that was newest when it began, not on one begun later', async () => {
    const {ws} = await openProject()
    const first = await running(ws)
    const time = fakeTime(async (_elapsed, sleeps) => {
      if (sleeps === 1) await end(ws, first.id, first.lease, 'rolledBack')
      if (sleeps === 1) await running(ws, '2.0.0')
    })
    const result = await waitForRelease(ws, {target: 'web'}, time.hooks)
    expect(result).toMatchObject({exitCode: 3, status: {release: {id: first.id, outcome: 'rolledBack'}}})
  })

  it('a damaged ledger is E_STATE_CORRUPT (exit 1), not a wait forever', async () => {
    const {ws, dir} = await openProject()
    await running(ws)
    appendFileSync(join(dir, '.release', 'targets', 'web', 'ledger.json'), '}{')
    expect(await rejection(waitForRelease(ws, {target: 'web'}, fakeTime().hooks))).toMatchObject({code: 'E_STATE_CORRUPT', exitCode: 2})
  })
})
