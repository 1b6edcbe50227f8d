/** The Auto Scaling group replaces an instance in the middle of an incremental release (issue 13). */
import {describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {notInService, openIncremental, versionCounts} from '../fakes/incremental.js'

describe('an instance replaced by its group during an incremental release', () => {
  it('rolls back without touching the terminated instance, and puts the restored version on its replacement', async () => {
    const {ws, sim} = await openIncremental({instances: 8, maxUnavailable: '1'})
    const initial = sim.view().groups[0]!.instances.map((i) => i.id)
    let gone: string | undefined
    let broken = false
    const result = await rollout(
      ws,
      {target: 'api', version: '2.0.0'},
      {
        onProgress: (event) => {
          const ready = event.instances?.ready ?? 0
          if (gone === undefined && event.state === 'rolling' && ready >= 3) {
            // A changed instance fails its EC2 status check and the group replaces it: the replacement
            // boots what the launch template boots (here the version published in Parameter Store).
            gone = sim.view().groups[0]!.instances.find((i) => i.version === '2.0.0' && i.lifecycle === 'InService')!.id
            void sim.handle('autoscaling', 'TerminateInstanceInAutoScalingGroup', {InstanceId: gone, ShouldDecrementDesiredCapacity: false})
          }
          if (!broken && event.state === 'rolling' && ready >= 5) {
            broken = true
            sim.setFaults({unhealthyVersions: ['2.0.0']})
          }
        },
      },
      {sim},
    )
    expect(broken).toBe(true)
    expect(result.outcome, result.message).toBe('rolledBack')
    const now = sim.view().groups[0]!.instances.map((i) => i.id)
    const launched = now.filter((id) => !initial.includes(id))
    expect(now).not.toContain(gone)
    expect(launched.length).toBeGreaterThanOrEqual(1)
    expect(versionCounts(sim)).toEqual({'1.0.0': 8})
    expect(notInService(sim)).toEqual([])
    expect(result.message).toContain(`${gone} was terminated by the Auto Scaling group during the release`)
    expect(result.message).toMatch(new RegExp(`${launched[0]}.*booted what its launch template boots`))
  })
})
