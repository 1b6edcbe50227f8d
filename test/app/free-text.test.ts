/**
 * Free text from users and instances reaches the ledger and terminals without the control characters
 * a terminal would act on.
 */
import {describe, expect, it} from 'vitest'
import {abort, rollout} from '../../src/app/release.js'
import {historyOf} from '../../src/app/views.js'
import {openIncremental} from '../fakes/incremental.js'

const HOSTILE_REASON = 'latency\x1b[2J\x1b]0;owned\x07 up\nfake: succeeded'

describe('abort --reason', () => {
  it('is stored and printed without escape sequences or line breaks', async () => {
    const {ws, sim} = await openIncremental({instances: 4})
    const api = ws.config.targets.api!
    if (api.strategy !== 'incremental') throw new Error('api is incremental')
    api.gates = ['afterCanary']
    await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    const aborted = await abort(ws, {target: 'api', reason: HOSTILE_REASON}, {}, {sim})
    expect(aborted.outcome).toBe('aborted')
    expect(aborted.message).toContain('latency up fake: succeeded')
    const stored = JSON.stringify(await historyOf(ws, 'api')) + JSON.stringify((await ws.ledger.read('api')).releases)
    expect(stored).not.toMatch(/\\u001b|\\n|\\u0007/)
    expect(aborted.message).not.toMatch(/[\x00-\x1f]/)
  })
})
