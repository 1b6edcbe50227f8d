/**
 * A release aborted at a gate whose way back then fails says what was aborted and what failed
 * (issue 17.4: it said "failed at undefined: undefined").
 */
import {describe, expect, it} from 'vitest'
import {abort, promote, rollout} from '../../src/app/release.js'
import {versionsTakingTraffic} from '../fakes/account.js'
import {openProject} from '../fakes/workspace.js'

describe('an abort whose way back fails', () => {
  it('says it was aborted at the gate, and what failed on the way back', async () => {
    const {ws, sim} = await openProject({capacity: 2, faults: {failStackDeletion: ['*-stuck']}})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const web = ws.config.targets.web!
    if (web.strategy !== 'immutable') throw new Error('web is immutable')
    web.gates = ['beforeShift']

    const paused = await rollout(ws, {target: 'web', version: '2.0.0-stuck'}, {}, {sim})
    expect(paused.outcome).toBe('paused')
    const result = await abort(ws, {target: 'web', reason: 'change freeze'}, {}, {sim})
    expect(result).toMatchObject({outcome: 'failed', exitCode: 1})
    expect(result.message).not.toMatch(/undefined/)
    expect(result.message).toMatch(/web-2 was aborted at pausedBeforeShift: change freeze\. Rolling back then failed at /)
    expect(result.message).toMatch(/delete stack release-web-2/)
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    // promote is not the way out of a failed release
    await expect(promote(ws, {target: 'web'}, {}, {sim})).rejects.toMatchObject({code: 'E_NOT_PAUSED'})
  })
})
