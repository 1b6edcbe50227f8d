/** SSM agent registration in an incremental release: InService is not managed yet, or ever (issue 13 item 4). */
import {describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import type {SimAccount} from '../../src/sim/index.js'
import type {VirtualClock} from '../../src/util/clock.js'
import {notInService, openIncremental, versionCounts} from '../fakes/incremental.js'

/**
 * The group replaces one of its instances (as after a failed health check) and the replacement is
 * InService, booted, when the release starts: its agent registers later, or never.
 */
async function replaceOne(sim: SimAccount, clock: VirtualClock): Promise<{gone: string; replacement: string}> {
  const before = sim.view().groups.find((g) => g.name === 'api-fleet')!.instances.map((i) => i.id)
  const gone = before[0]!
  await sim.handle('autoscaling', 'TerminateInstanceInAutoScalingGroup', {InstanceId: gone, ShouldDecrementDesiredCapacity: false})
  clock.advance(90_000)
  const after = sim.view().groups.find((g) => g.name === 'api-fleet')!.instances
  const replacement = after.find((i) => !before.includes(i.id))!
  expect(replacement.lifecycle).toBe('InService')
  return {gone, replacement: replacement.id}
}

describe('SSM agent registration in an incremental release', () => {
  it('waits for an agent that registers slowly: a good version is not rolled back', async () => {
    const {ws, sim, clock} = await openIncremental({instances: 4, maxUnavailable: '1', timings: {agentRegistrationMs: [120_000, 180_000]}})
    await replaceOne(sim, clock)
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 4})
  })

  it('stops before changing anything when an agent never registers, naming the instance and the usual cause', async () => {
    const {ws, sim, clock} = await openIncremental({instances: 4, maxUnavailable: '1'})
    // The launch template lost its instance profile after the fleet was launched: only new instances lack it.
    sim.setFaults({unregisteredVersions: ['1.0.0']})
    const {replacement} = await replaceOne(sim, clock)
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome).toBe('failed')
    expect(result.record.details?.failure).toMatchObject({step: 'planning'})
    expect(result.message).toContain(replacement)
    expect(result.message).toMatch(/SSM agent of 1 of 4 instances never registered within 300s .*instance profile with AmazonSSMManagedInstanceCore.*route to the SSM endpoints/)
    expect(result.message).toMatch(/No instance was changed/)
    expect(versionCounts(sim)).toEqual({'1.0.0': 4})
    expect(notInService(sim)).toEqual([])
    expect(sim.view().parameters.find((p) => p.name === '/release/api/version')).toBeUndefined()
  })
})
