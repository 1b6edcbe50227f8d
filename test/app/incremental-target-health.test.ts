/** An instance back from Standby is done when the load balancer says so, in every target group (issue 13). */
import {describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {API_SOURCE, notInService, openIncremental, versionCounts} from '../fakes/incremental.js'

describe('incremental release judged by target health', () => {
  it('rolls back a version that only the load balancer sees is bad (EC2 status checks pass)', async () => {
    // No verify lines: nothing on the instance says the version is bad; its target health does.
    const {ws, sim} = await openIncremental({instances: 4, maxUnavailable: '1', verify: []})
    const result = await rollout(ws, {target: 'api', version: '2.0.0-bad'}, {}, {sim})
    expect(result.outcome, result.message).toBe('rolledBack')
    expect(result.record.details?.failure).toMatchObject({step: 'canary'})
    expect(result.message).toMatch(/unhealthy in target group api \(Target\.ResponseCodeMismatch\)/)
    expect(versionCounts(sim)).toEqual({'1.0.0': 4})
    expect(notInService(sim)).toEqual([])
  })

  it('counts an instance done only once its target is healthy again: the fleet ends healthy to the load balancer', async () => {
    const {ws, sim} = await openIncremental({instances: 4, maxUnavailable: '1', verify: []})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 4})
    // InService alone comes minutes before the load balancer's 5 passed checks; the bake is 1 min.
    const health = await sim.handle('elbv2', 'DescribeTargetHealth', {TargetGroupArn: API_SOURCE})
    const states = (health.TargetHealthDescriptions as {TargetHealth: {State: string}}[]).map((d) => d.TargetHealth.State)
    expect(states).toEqual(['healthy', 'healthy', 'healthy', 'healthy'])
  })
})
