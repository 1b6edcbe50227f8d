/**
 * Decisions taken again under the lease (issue 16 item 1): resume, promote and abort read the ledger,
 * decide, and only then take the lease. A command stalled between the two while others moved the
 * release on must find that out under the lease, change nothing, and say so.
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {abort, promote, resume, rollout, type ReleaseHooks} from '../../src/app/release.js'
import {liveStacks, versionsTakingTraffic} from '../fakes/account.js'
import {openProject} from '../fakes/workspace.js'

/** A hook that stalls a command between its read and its lease until `go` is called. */
function stall(): {hooks: ReleaseHooks; reached: Promise<void>; go: () => void} {
  let arrived = () => {}
  let go = () => {}
  const reached = new Promise<void>((resolve) => (arrived = resolve))
  const gate = new Promise<void>((resolve) => (go = resolve))
  return {
    hooks: {
      beforeLease: async () => {
        arrived()
        await gate
      },
    },
    reached,
    go,
  }
}

function settle<T>(promise: Promise<T>): Promise<{value?: T; error?: any}> {
  return promise.then(
    (value) => ({value}),
    (error: unknown) => ({error}),
  )
}

describe('a command stalled between its read and its lease', () => {
  it('resume: finds the release finished and a newer rollout live, and changes nothing', async () => {
    const {ws, sim} = await openProject()
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    // web-2 is interrupted (its process died at verifying).
    const crashed = rollout(ws, {target: 'web', version: '2.0.0'}, {onTransition: (state) => {
      if (state === 'verifying') throw new Error('process died')
    }}, {sim})
    await expect(crashed).rejects.toThrow('process died')
    expect((await ws.ledger.current('web'))?.outcome).toBe('inProgress')

    const stalled = stall()
    const late = settle(resume(ws, {target: 'web'}, stalled.hooks, {sim}))
    await stalled.reached
    // Meanwhile another resume finishes web-2, and 3.0.0 is rolled out.
    expect((await resume(ws, {target: 'web'}, {}, {sim})).outcome).toBe('succeeded')
    expect((await rollout(ws, {target: 'web', version: '3.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    const ledgerFile = path.join(ws.config.stateDir, 'targets', 'web', 'ledger.json')
    const before = await readFile(ledgerFile, 'utf8')

    stalled.go()
    const ended = await late
    expect(ended).toMatchObject({error: {code: 'E_MOVED_ON', exitCode: 2}})
    expect(ended.error.message).toMatch(/web-2/)
    expect(ended.error.message).toMatch(/nothing was changed/)
    expect(await readFile(ledgerFile, 'utf8')).toBe(before)
    expect((await ws.ledger.read('web')).liveVersion).toBe('3.0.0')
    expect(versionsTakingTraffic(sim)).toEqual(['3.0.0'])
    expect(await ws.store.read('locks/web.json')).toBeUndefined()
  })

  it('promote: finds the release aborted meanwhile, and does not re-open it', async () => {
    const {ws, sim} = await openProject()
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const web = ws.config.targets.web!
    if (web.strategy !== 'immutable') throw new Error('web is immutable')
    web.gates = ['beforeShift']
    expect((await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})).outcome).toBe('paused')

    const stalled = stall()
    const late = settle(promote(ws, {target: 'web'}, stalled.hooks, {sim}))
    await stalled.reached
    expect((await abort(ws, {target: 'web', reason: 'change freeze'}, {}, {sim})).outcome).toBe('aborted')
    const ledgerFile = path.join(ws.config.stateDir, 'targets', 'web', 'ledger.json')
    const before = await readFile(ledgerFile, 'utf8')

    stalled.go()
    const ended = await late
    expect(ended).toMatchObject({error: {code: 'E_MOVED_ON', exitCode: 2}})
    expect(ended.error.message).toMatch(/web-2 .*aborted/)
    expect(await readFile(ledgerFile, 'utf8')).toBe(before)
    expect((await ws.ledger.current('web'))?.outcome).toBe('aborted')
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
  })
})
