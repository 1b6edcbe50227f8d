/** SSM agent registration in an incremental release: InService is not managed yet, or ever (issue 13 item 4). */
import {describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {ssmErrors} from '../../src/sim/errors.js'
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
    // `release sim show` says which agent never registered.
    expect(sim.view().groups[0]!.instances.filter((i) => i.ssmAgent === 'NotRegistered').map((i) => i.id)).toEqual([replacement])
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

  it('fails an instance SendCommand keeps refusing as not managed once the bound has passed, and rolls back', async () => {
    const {ws, sim} = await openIncremental({instances: 4, maxUnavailable: '1'})
    // The canary's agent drops out after planning (say its instance profile was detached): SSM stops
    // listing it and refuses it with InvalidInstanceId from then on.
    const handle = sim.handle.bind(sim)
    let lost: string | undefined
    sim.handle = async (service, commandName, input) => {
      const ids = (input as {InstanceIds?: string[]}).InstanceIds ?? []
      if (service === 'ssm' && commandName === 'SendCommand' && ((input as {Comment?: string}).Comment ?? '').endsWith(' to 2.0.0')) {
        lost ??= ids[0]
        if (ids.includes(lost!)) throw ssmErrors.invalidInstanceId(`Instances [[${lost}]] not in a valid state`)
      }
      const answer = await handle(service, commandName, input)
      if (lost && service === 'ssm' && commandName === 'DescribeInstanceInformation') {
        answer.InstanceInformationList = answer.InstanceInformationList.filter((i: {InstanceId: string}) => i.InstanceId !== lost)
      }
      return answer
    }
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('rolledBack')
    expect(result.record.details?.failure).toMatchObject({step: 'canary'})
    expect(result.message).toMatch(new RegExp(`${lost} \\(the SSM agent of 1 of 1 instances never registered within 300s`))
    expect(versionCounts(sim)).toEqual({'1.0.0': 4})
    expect(notInService(sim)).toEqual([])
  })
})
