/** An instance back from Standby is done when the load balancer says so, in every target group (issue 13). */
import {describe, expect, it} from 'vitest'
import {planRelease} from '../../src/app/plan.js'
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

  it('plan says what would catch a bad version of an incremental target, and warns when nothing would', async () => {
    const {ws, sim} = await openIncremental({instances: 4, maxUnavailable: '1'})
    const plan = await planRelease(ws, {target: 'api', version: '2.0.0'}, {sim})
    expect(plan.health?.signals).toEqual([
      expect.stringMatching(/^verify: 1 lines/),
      expect.stringMatching(/^ELB: target health in 1 target groups, passed again by each instance back from Standby/),
      expect.stringMatching(/^EC2: /),
    ])
    expect(plan.health?.warning).toBeUndefined()

    const bare = await openIncremental({instances: 4, maxUnavailable: '1', verify: []})
    const config = bare.ws.config.targets.api!
    if (config.strategy !== 'incremental') throw new Error('api is incremental')
    config.fleet = {tags: {Role: 'api'}}
    const unguarded = await planRelease(bare.ws, {target: 'api', version: '2.0.0'}, {sim: bare.sim})
    expect(unguarded.health?.warning).toMatch(/nothing would catch a bad application version/)
  })
})
