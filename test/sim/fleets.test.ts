import {DescribeAutoScalingGroupsCommand, DescribeTrafficSourcesCommand} from '@aws-sdk/client-auto-scaling'
import {
  DescribeInstanceInformationCommand,
  InvalidFilterKey,
  paginateDescribeInstanceInformation,
  ValidationException,
} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {createSimClients, SimAccount, type SimOptions} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {createStack, describeGroup, harness, rejection, TARGET_GROUP, temporaryDir, waitFor, waitForStatus, type Harness} from './helpers.js'

const FLEETS: SimOptions['fleets'] = {
  'api-fleet': {instances: 6, version: '1.0.0', trafficSources: [TARGET_GROUP]},
  db: {instances: 3, version: '14.2'},
}

function openOn(dir: string, clock = new VirtualClock(), fleets = FLEETS): Harness {
  const account = SimAccount.open({clock, dir, seed: 5, fleets})
  return {clock, account, clients: createSimClients(account)}
}

async function managedIds(h: Harness, filters: {Key: string; Values: string[]}[]): Promise<string[]> {
  const ids: string[] = []
  for await (const page of paginateDescribeInstanceInformation({client: h.clients.ssm, pageSize: 5}, {Filters: filters})) {
    ids.push(...(page.InstanceInformationList ?? []).map((info) => info.InstanceId!))
  }
  return ids
}

describe('seeded fleets', () => {
  it('are there at once: InService, Healthy, at their version, attached to their traffic sources', async () => {
    const h = harness({fleets: FLEETS})
    const api = (await describeGroup(h, 'api-fleet'))!
    expect([api.MinSize, api.MaxSize, api.DesiredCapacity]).toEqual([0, 6, 6])
    expect(api.Instances!.every((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy')).toBe(true)
    expect(new Set(api.Instances!.map((i) => i.AvailabilityZone)).size).toBe(3)
    expect(api.Tags!.map((tag) => [tag.Key, tag.Value, tag.PropagateAtLaunch])).toEqual([
      ['Name', 'api-fleet', true],
      ['Role', 'api', true],
    ])
    const sources = await h.clients.autoScaling.send(new DescribeTrafficSourcesCommand({AutoScalingGroupName: 'api-fleet'}))
    // A seeded group uses EC2 health checks (Auto Scaling's default): its target group stays Added (AWS's TrafficSourceState).
    expect(sources.TrafficSources!.map((s) => [s.Identifier, s.Type, s.State])).toEqual([[TARGET_GROUP, 'elbv2', 'Added']])

    const view = h.account.view()
    expect(view.groups.find((g) => g.name === 'db')!.instances.map((i) => i.version)).toEqual(['14.2', '14.2', '14.2'])
    expect(view.trafficSources).toEqual([
      {identifier: TARGET_GROUP, groups: [{name: 'api-fleet', state: 'Added', versions: ['1.0.0'], servingInstances: 6}]},
    ])
  })

  it('boot Healthy to EC2 at an unhealthy version (only the load balancer sees it)', async () => {
    const h = harness({fleets: {'api-fleet': {instances: 2, version: '2.0.0-bad'}}, faults: {unhealthyVersions: ['*-bad']}})
    expect((await describeGroup(h, 'api-fleet'))!.Instances!.map((i) => i.HealthStatus)).toEqual(['Healthy', 'Healthy'])
  })

  it('are created once: a second open on the same dir neither re-creates nor resizes them', async () => {
    const dir = temporaryDir()
    const first = openOn(dir)
    const before = (await describeGroup(first, 'api-fleet'))!.Instances!.map((i) => i.InstanceId)
    const second = openOn(dir, new VirtualClock(first.account.lastNow), {
      'api-fleet': {instances: 50, version: '9.9.9'},
      db: {instances: 1, version: '1'},
      'cache-fleet': {instances: 2, version: '7.0'},
    })
    const again = (await describeGroup(second, 'api-fleet'))!
    expect(again.Instances!.map((i) => i.InstanceId)).toEqual(before)
    expect(again.DesiredCapacity).toBe(6)
    expect((await describeGroup(second, 'db'))!.Instances).toHaveLength(3)
    // A fleet the account did not have yet is added, and seen from the first process too.
    expect((await describeGroup(first, 'cache-fleet'))!.Instances).toHaveLength(2)
    const names = (await first.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups!.map(
      (g) => g.AutoScalingGroupName,
    )
    expect(names).toEqual(['api-fleet', 'cache-fleet', 'db'])
  })

  it('refuses fleets that make no sense before opening anything', () => {
    const clock = new VirtualClock()
    expect(() => SimAccount.open({clock, fleets: {a: {instances: -1, version: '1'}}})).toThrow(RangeError)
    expect(() => SimAccount.open({clock, fleets: {a: {instances: 1, version: ''}}})).toThrow(RangeError)
  })
})

describe('SSM managed instances (DescribeInstanceInformation)', () => {
  it('finds a fleet by its Role tag, paged', async () => {
    const h = harness({fleets: FLEETS})
    const api = (await describeGroup(h, 'api-fleet'))!.Instances!.map((i) => i.InstanceId!)
    expect(await managedIds(h, [{Key: 'tag:Role', Values: ['api']}])).toEqual(api)
    expect(await managedIds(h, [{Key: 'tag:Role', Values: ['api', 'db']}])).toHaveLength(9)
    expect(await managedIds(h, [{Key: 'tag:aws:autoscaling:groupName', Values: ['db']}])).toHaveLength(3)
    expect(await managedIds(h, [{Key: 'tag-key', Values: ['Role']}])).toHaveLength(9)
    expect(await managedIds(h, [{Key: 'tag:Role', Values: ['nobody']}])).toEqual([])

    const first = await h.clients.ssm.send(new DescribeInstanceInformationCommand({Filters: [{Key: 'tag:Role', Values: ['api']}], MaxResults: 5}))
    expect(first.InstanceInformationList).toHaveLength(5)
    expect(first.NextToken).toBeDefined()
    expect(first.InstanceInformationList![0]).toMatchObject({
      InstanceId: api[0],
      PingStatus: 'Online',
      PlatformType: 'Linux',
      ResourceType: 'EC2Instance',
    })
  })

  it('lists instances of stacks once booted, with the legacy filter list too', async () => {
    const h = harness()
    await createStack(h, 'web-v1', '1.0.0', {capacity: 2})
    await waitForStatus(h, 'web-v1', 'CREATE_COMPLETE')
    // Pending instances have no agent registered yet.
    expect((await h.clients.ssm.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList).toEqual([])
    const ids = await waitFor(h, async () => {
      const all = await h.clients.ssm.send(new DescribeInstanceInformationCommand({}))
      return all.InstanceInformationList!.length === 2 ? all.InstanceInformationList!.map((info) => info.InstanceId!) : undefined
    })
    const one = await h.clients.ssm.send(
      new DescribeInstanceInformationCommand({InstanceInformationFilterList: [{key: 'InstanceIds', valueSet: [ids[0]!]}]}),
    )
    expect(one.InstanceInformationList!.map((info) => info.InstanceId)).toEqual([ids[0]])
    const byName = await managedIds(h, [{Key: 'tag:Name', Values: ['web-v1-instance']}])
    expect(byName.sort()).toEqual([...ids].sort())
  })

  it('refuses unknown filter keys, both filter lists at once, and MaxResults outside 5..50', async () => {
    const h = harness({fleets: FLEETS})
    expect(await rejection(h.clients.ssm.send(new DescribeInstanceInformationCommand({Filters: [{Key: 'Color', Values: ['x']}]})))).toBeInstanceOf(
      InvalidFilterKey,
    )
    const both = await rejection(
      h.clients.ssm.send(
        new DescribeInstanceInformationCommand({
          Filters: [{Key: 'tag:Role', Values: ['api']}],
          InstanceInformationFilterList: [{key: 'PingStatus', valueSet: ['Online']}],
        }),
      ),
    )
    expect(both).toBeInstanceOf(ValidationException)
    expect(await rejection(h.clients.ssm.send(new DescribeInstanceInformationCommand({MaxResults: 51})))).toBeInstanceOf(ValidationException)
  })
})
