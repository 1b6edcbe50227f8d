/** EnterStandby below MinSize is refused by Auto Scaling: found at plan, never at the canary (issue 13). */
import {describe, expect, it} from 'vitest'
import {planRelease} from '../../src/app/plan.js'
import {rollout} from '../../src/app/release.js'
import {statusOf} from '../../src/app/views.js'
import {notInService, openIncremental, versionCounts} from '../fakes/incremental.js'

describe('a fleet whose MinSize equals its desired capacity', () => {
  it('is refused up front with the fix (exit 2), nothing changed', async () => {
    const {ws, sim} = await openIncremental({instances: 4, min: 4, maxUnavailable: '1'})
    await expect(planRelease(ws, {target: 'api', version: '2.0.0'}, {sim})).rejects.toMatchObject({code: 'E_MIN_SIZE', exitCode: 2})
    const error = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_MIN_SIZE', exitCode: 2})
    expect((error as {hint: string}).hint).toMatch(/--min-size 3/)
    expect(versionCounts(sim)).toEqual({'1.0.0': 4})
    expect(notInService(sim)).toEqual([])
    expect((await statusOf(ws, 'api')).release).toBeNull()
  })

  it('releases when the window leaves room above MinSize', async () => {
    const {ws, sim} = await openIncremental({instances: 4, min: 3, maxUnavailable: '1'})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 4})
  })
})
