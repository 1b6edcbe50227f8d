import {EnterStandbyCommand, ExitStandbyCommand} from '@aws-sdk/client-auto-scaling'
import {PutParameterCommand} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {describeGroup, groupInstanceIds, harness, rejection, runShell, settle, TARGET_GROUP, waitFor, type Harness} from './helpers.js'

function open(instances = 4): Harness {
  return harness({
    fleets: {'web-fleet': {instances, version: '1.0.0', trafficSources: [TARGET_GROUP]}},
    faults: {unhealthyVersions: ['*-bad']},
  })
}

const enter = (h: Harness, ids: string[], decrement: boolean | null = true) =>
  h.clients.autoScaling.send(
    new EnterStandbyCommand({AutoScalingGroupName: 'web-fleet', InstanceIds: ids, ShouldDecrementDesiredCapacity: decrement ?? undefined}),
  )
const exit = (h: Harness, ids: string[]) => h.clients.autoScaling.send(new ExitStandbyCommand({AutoScalingGroupName: 'web-fleet', InstanceIds: ids}))

async function lifecycles(h: Harness): Promise<string[]> {
  return (await describeGroup(h, 'web-fleet'))!.Instances!.map((i) => `${i.LifecycleState}/${i.HealthStatus}`)
}

function serving(h: Harness): number {
  return h.account.view().trafficSources[0]!.groups[0]!.servingInstances
}

describe('Standby', () => {
  it('takes instances out of traffic and back, moving the desired capacity, health following the version', async () => {
    const h = open()
    const ids = await groupInstanceIds(h, 'web-fleet')
    expect(serving(h)).toBe(4)

    await enter(h, ids.slice(0, 2))
    const entering = (await describeGroup(h, 'web-fleet'))!
    expect(entering.DesiredCapacity).toBe(2)
    expect(entering.Instances).toHaveLength(4)
    expect(await lifecycles(h)).toEqual(['EnteringStandby/Healthy', 'EnteringStandby/Healthy', 'InService/Healthy', 'InService/Healthy'])
    expect(serving(h)).toBe(2)
    await waitFor(h, async () => (await lifecycles(h)).filter((l) => l.startsWith('Standby/')).length === 2)

    // Still SSM managed in Standby: one gets a bad version, the other a good one.
    await settle(h, await runShell(h, [ids[0]!], ['release-sim set-version 2.0.0-bad']))
    await settle(h, await runShell(h, [ids[1]!], ['release-sim set-version 1.1.0']))
    expect(serving(h)).toBe(2)

    await exit(h, ids.slice(0, 2))
    const exiting = (await describeGroup(h, 'web-fleet'))!
    expect(exiting.DesiredCapacity).toBe(4)
    expect(exiting.Instances!.slice(0, 2).map((i) => i.LifecycleState)).toEqual(['Pending', 'Pending'])
    await waitFor(h, async () => (await lifecycles(h)).every((l) => l.startsWith('InService/')))
    // EC2 status checks pass on the bad version too.
    expect(await lifecycles(h)).toEqual(['InService/Healthy', 'InService/Healthy', 'InService/Healthy', 'InService/Healthy'])
    expect(serving(h)).toBe(4)
    // Registered again; its target fails the load balancer's check (the group uses EC2 checks, so it stays).
    expect(h.account.view().trafficSources[0]!.groups[0]!.versions).toEqual(['1.0.0', '1.1.0', '2.0.0-bad'])
  })

  it('refuses what AWS refuses: not InService, more than 20 ids, no ShouldDecrementDesiredCapacity, no room to exit', async () => {
    const h = open(25)
    const ids = await groupInstanceIds(h, 'web-fleet')
    const tooMany = await rejection(enter(h, ids.slice(0, 21)))
    expect(tooMany.name).toBe('ValidationError')
    expect(tooMany.message).toMatch(/length less than or equal to 20/)
    expect((await rejection(enter(h, ids.slice(0, 1), null))).name).toBe('ValidationError')

    await enter(h, ids.slice(0, 20))
    expect((await describeGroup(h, 'web-fleet'))!.DesiredCapacity).toBe(5)
    const again = await rejection(enter(h, [ids[0]!]))
    expect(again.message).toBe(`The instance ${ids[0]} is not in InService.`)
    const notStandby = await rejection(exit(h, [ids[24]!]))
    expect(notStandby.message).toBe(`The instance ${ids[24]} is not in Standby.`)
  })

  it('launches a replacement without decrementing, at the published version, and then has no room to exit', async () => {
    const h = open(2)
    const ids = await groupInstanceIds(h, 'web-fleet')
    await h.clients.ssm.send(new PutParameterCommand({Name: '/release/web/version', Value: '1.2.0', Type: 'String'}))
    await enter(h, [ids[0]!], false)
    const group = (await describeGroup(h, 'web-fleet'))!
    expect(group.DesiredCapacity).toBe(2)
    expect(group.Instances!.map((i) => i.LifecycleState)).toEqual(['EnteringStandby', 'InService', 'Pending'])
    await waitFor(h, async () => (await lifecycles(h)).join() === 'Standby/Healthy,InService/Healthy,InService/Healthy')
    const replacement = h.account.view().groups[0]!.instances[2]!
    expect(replacement.version).toBe('1.2.0')
    const full = await rejection(exit(h, [ids[0]!]))
    expect(full.message).toMatch(/please update the AutoScalingGroup sizes appropriately/)
  })
})
