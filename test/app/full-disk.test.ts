/**
 * A disk that fills up in the middle of a release (issue 16 item 6): the command stops with a clear
 * error naming ENOSPC (exit 1), every state file still reads back, and once there is space again
 * `release resume` finishes the release.
 */
import * as fs from 'node:fs'
import {describe, expect, it} from 'vitest'
import {resume, rollout} from '../../src/app/release.js'
import {Journal} from '../../src/engine/journal.js'
import {Ledger} from '../../src/engine/ledger.js'
import {loadSnapshot} from '../../src/engine/runner.js'
import {FileStateStore} from '../../src/store/file.js'
import type {FileSystem} from '../../src/util/state-file.js'
import {versionsTakingTraffic} from '../fakes/account.js'
import {openProject} from '../fakes/workspace.js'

describe('a full disk during a release', () => {
  it('stops with E_STATE_WRITE naming ENOSPC, leaves every state file readable, and resume finishes it', async () => {
    const {ws: opened, sim} = await openProject()
    const disk = {full: false}
    const diskFs = {
      ...fs,
      writeSync: ((...args: Parameters<typeof fs.writeSync>) => {
        if (disk.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})
        return (fs.writeSync as (...a: unknown[]) => number)(...args)
      }) as typeof fs.writeSync,
    } as FileSystem
    const store = new FileStateStore(opened.config.stateDir, {fs: diskFs})
    const ws = {...opened, store, ledger: new Ledger(store, opened.now)}
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})

    const failed = await rollout(ws, {target: 'web', version: '2.0.0'}, {onProgress: (event) => {
          if (event.state === 'verifying') disk.full = true
        }}, {sim}).catch(
      (error: unknown) => error,
    )
    expect(failed).toMatchObject({code: 'E_STATE_WRITE', exitCode: 1})
    expect((failed as Error).message).toMatch(/ENOSPC/)

    disk.full = false
    const current = await ws.ledger.current('web')
    expect(current).toMatchObject({id: 'web-2', outcome: 'inProgress'})
    expect(await loadSnapshot(store, 'web-2')).toBeDefined()
    expect((await new Journal(store, ws.now).read('web-2')).length).toBeGreaterThan(0)

    const resumed = await resume(ws, {target: 'web'}, {}, {sim})
    expect(resumed.outcome).toBe('succeeded')
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
    expect((await ws.ledger.read('web')).liveVersion).toBe('2.0.0')
  })
})
