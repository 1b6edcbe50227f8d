import {DescribeTargetHealthCommand} from '@aws-sdk/client-elastic-load-balancing-v2'
import {
  AttachTrafficSourcesCommand,
  AutoScalingServiceException,
  DescribeAutoScalingInstancesCommand,
  DescribeTrafficSourcesCommand,
  DetachTrafficSourcesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  paginateDescribeAutoScalingGroups,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling'
import {describe, expect, it} from 'vitest'
import {
  createStack,
  describeGroup,
  fleetTemplate,
  harness,
  rejection,
  TARGET_GROUP,
  waitFor,
  waitForStatus,
  type Harness,
} from './helpers.js'

/** Creates a stack and waits until all its instances are InService; answers the group name. */
async function readyFleet(h: Harness, name: string, version: string, capacity = 2, template?: string): Promise<string> {
  await createStack(h, name, version, {capacity, template})
  const stack = await waitForStatus(h, name, 'CREATE_COMPLETE')
  const groupName = stack.Outputs!.find((output) => output.OutputKey === 'GroupName')!.OutputValue!
  await waitFor(h, async () => {
    const group = await describeGroup(h, groupName)
    return group?.Instances?.length === capacity && group.Instances.every((i) => i.LifecycleState === 'InService')
  })
  return groupName
}

async function trafficStates(h: Harness, group: string): Promise<string[]> {
  const answer = await h.clients.autoScaling.send(new DescribeTrafficSourcesCommand({AutoScalingGroupName: group}))
  return (answer.TrafficSources ?? []).map((source) => source.State!)
}

describe('Auto Scaling: instance health', () => {
  it('boots unhealthyVersions InService and Healthy: EC2 status checks pass for a bad application', async () => {
    const h = harness({faults: {unhealthyVersions: ['*-bad']}})
    const group = await readyFleet(h, 'web-v2', '2.0.0-bad')
    const found = await describeGroup(h, group)
    expect(found!.Instances!.map((i) => [i.LifecycleState, i.HealthStatus])).toEqual([
      ['InService', 'Healthy'],
      ['InService', 'Healthy'],
    ])
    // DescribeAutoScalingInstances answers in upper case, as AWS does.
    const instances = await h.clients.autoScaling.send(new DescribeAutoScalingInstancesCommand({}))
    expect(instances.AutoScalingInstances!.map((i) => i.HealthStatus)).toEqual(['HEALTHY', 'HEALTHY'])
  })

  it('fails a bad version on the ELB health check once registered; a group on ELB health checks replaces it with the same version', async () => {
    const h = harness({faults: {unhealthyVersions: ['*-bad']}})
    const group = await readyFleet(h, 'web-v2', '2.0.0-bad', 2, fleetTemplate({healthCheckType: 'ELB', gracePeriod: 0}))
    const first = (await describeGroup(h, group))!.Instances!.map((i) => i.InstanceId!)
    await h.clients.autoScaling.send(new AttachTrafficSourcesCommand({AutoScalingGroupName: group, TrafficSources: [{Identifier: TARGET_GROUP}]}))
    await waitFor(h, async () => {
      const health = await h.clients.elbv2.send(new DescribeTargetHealthCommand({TargetGroupArn: TARGET_GROUP}))
      return health.TargetHealthDescriptions!.some((d) => d.TargetHealth!.State === 'unhealthy')
    })
    await waitFor(h, async () => (await describeGroup(h, group))!.Instances!.every((i) => !first.includes(i.InstanceId!)))
    const view = h.account.view().groups.find((g) => g.name === group)!
    expect(new Set(view.instances.map((i) => i.version))).toEqual(new Set(['2.0.0-bad']))
    expect(await trafficStates(h, group)).toEqual(['Added'])
  })

  it('turns degradeVersions Unhealthy afterSeconds after InService', async () => {
    const h = harness({faults: {degradeVersions: [{pattern: '3.*', afterSeconds: 600}]}})
    const group = await readyFleet(h, 'web-v3', '3.1.0', 1)
    expect((await describeGroup(h, group))!.Instances![0]!.HealthStatus).toBe('Healthy')
    h.clock.advance(300_000)
    expect((await describeGroup(h, group))!.Instances![0]!.HealthStatus).toBe('Healthy')
    h.clock.advance(300_000)
    expect((await describeGroup(h, group))!.Instances![0]!.HealthStatus).toBe('Unhealthy')
  })
})

describe('Auto Scaling: traffic sources', () => {
  it('stays Added with EC2 health checks, though its targets pass the ELB health check', async () => {
    const h = harness()
    const group = await readyFleet(h, 'web-ec2', '1.0.0')
    await h.clients.autoScaling.send(new AttachTrafficSourcesCommand({AutoScalingGroupName: group, TrafficSources: [{Identifier: TARGET_GROUP}]}))
    h.clock.advance(600_000)
    expect(await trafficStates(h, group)).toEqual(['Added'])
    const health = await h.clients.elbv2.send(new DescribeTargetHealthCommand({TargetGroupArn: TARGET_GROUP}))
    expect(health.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State)).toEqual(['healthy', 'healthy'])
  })

  it('registers targets initial, then healthy after HealthyThresholdCount checks', async () => {
    const h = harness({targetGroups: {[TARGET_GROUP]: {intervalSeconds: 10, healthyThreshold: 3}}})
    const group = await readyFleet(h, 'web-ec2', '1.0.0')
    await h.clients.autoScaling.send(new AttachTrafficSourcesCommand({AutoScalingGroupName: group, TrafficSources: [{Identifier: TARGET_GROUP}]}))
    await waitFor(h, async () => (await trafficStates(h, group))[0] === 'Added')
    const states = async () =>
      (await h.clients.elbv2.send(new DescribeTargetHealthCommand({TargetGroupArn: TARGET_GROUP}))).TargetHealthDescriptions!.map(
        (d) => `${d.TargetHealth!.State}${d.TargetHealth!.Reason ? `:${d.TargetHealth!.Reason}` : ''}`,
      )
    expect(await states()).toEqual(['initial:Elb.RegistrationInProgress', 'initial:Elb.RegistrationInProgress'])
    h.clock.advance(30_000)
    expect(await states()).toEqual(['healthy', 'healthy'])
  })

  it('refuses a target group the account does not have', async () => {
    const h = harness()
    const group = await readyFleet(h, 'web-ec2', '1.0.0')
    const other = TARGET_GROUP.replace('/web/', '/other/')
    const error = await rejection(
      h.clients.autoScaling.send(new AttachTrafficSourcesCommand({AutoScalingGroupName: group, TrafficSources: [{Identifier: other}]})),
    )
    expect(error.name).toBe('ValidationError')
    expect((await rejection(h.clients.elbv2.send(new DescribeTargetHealthCommand({TargetGroupArn: other})))).name).toBe('TargetGroupNotFoundException')
  })

  it('goes Adding -> Added -> InService, and Removing -> Removed -> gone on detach', async () => {
    const h = harness({timings: {instanceBootMs: [60_000, 60_000]}})
    await createStack(h, 'web-v1', '1.0.0', {capacity: 2, template: fleetTemplate({healthCheckType: 'ELB'})})
    const stack = await waitForStatus(h, 'web-v1', 'CREATE_COMPLETE')
    const group = stack.Outputs!.find((output) => output.OutputKey === 'GroupName')!.OutputValue!

    const attach = () =>
      h.clients.autoScaling.send(
        new AttachTrafficSourcesCommand({AutoScalingGroupName: group, TrafficSources: [{Identifier: TARGET_GROUP, Type: 'elbv2'}]}),
      )
    await attach()
    const seen: string[] = []
    await waitFor(h, async () => {
      const [state] = await trafficStates(h, group)
      if (seen.at(-1) !== state) seen.push(state!)
      return state === 'InService'
    })
    expect(seen).toEqual(['Adding', 'Added', 'InService'])
    await attach() // re-attaching an attached source changes nothing
    expect(await trafficStates(h, group)).toEqual(['InService'])
    const described = await describeGroup(h, group)
    expect(described!.TrafficSources).toEqual([{Identifier: TARGET_GROUP, Type: 'elbv2'}])
    expect(described!.TargetGroupARNs).toEqual([TARGET_GROUP])
    expect(h.account.view().trafficSources).toEqual([
      {identifier: TARGET_GROUP, groups: [{name: group, state: 'InService', versions: ['1.0.0'], servingInstances: 2}]},
    ])

    await h.clients.autoScaling.send(new DetachTrafficSourcesCommand({AutoScalingGroupName: group, TrafficSources: [{Identifier: TARGET_GROUP}]}))
    const leaving: string[] = []
    await waitFor(h, async () => {
      const [state = 'gone'] = await trafficStates(h, group)
      if (leaving.at(-1) !== state) leaving.push(state)
      return state === 'gone'
    })
    expect(leaving).toEqual(['Removing', 'Removed', 'gone'])
  })

  it('detaches only after the deregistration delay (300 s by default)', async () => {
    const h = harness()
    await createStack(h, 'web-v1', '1.0.0', {capacity: 2, template: fleetTemplate({healthCheckType: 'ELB'})})
    const stack = await waitForStatus(h, 'web-v1', 'CREATE_COMPLETE')
    const group = stack.Outputs!.find((output) => output.OutputKey === 'GroupName')!.OutputValue!
    await h.clients.autoScaling.send(new AttachTrafficSourcesCommand({AutoScalingGroupName: group, TrafficSources: [{Identifier: TARGET_GROUP}]}))
    await waitFor(h, async () => (await trafficStates(h, group))[0] === 'InService')
    await h.clients.autoScaling.send(new DetachTrafficSourcesCommand({AutoScalingGroupName: group, TrafficSources: [{Identifier: TARGET_GROUP}]}))
    const detachedAt = h.clock.now()
    const health = await h.clients.elbv2.send(new DescribeTargetHealthCommand({TargetGroupArn: TARGET_GROUP}))
    expect(health.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State)).toEqual(['draining', 'draining'])
    await waitFor(h, async () => (await trafficStates(h, group))[0] === 'Removed')
    expect(h.clock.now() - detachedAt).toBeGreaterThanOrEqual(300_000)
  })

  it('stays Added while no instance is InService and Healthy', async () => {
    const h = harness({faults: {unhealthyVersions: ['bad']}})
    const group = await readyFleet(h, 'web-bad', 'bad')
    await h.clients.autoScaling.send(new AttachTrafficSourcesCommand({AutoScalingGroupName: group, TrafficSources: [{Identifier: TARGET_GROUP}]}))
    h.clock.advance(60_000)
    expect(await trafficStates(h, group)).toEqual(['Added'])
  })

  it('fails AttachTrafficSources for failTrafficAttach versions, and for unknown groups', async () => {
    const h = harness({faults: {failTrafficAttach: ['9.*']}})
    const group = await readyFleet(h, 'web-v9', '9.0.0', 1)
    const error = await rejection(
      h.clients.autoScaling.send(new AttachTrafficSourcesCommand({AutoScalingGroupName: group, TrafficSources: [{Identifier: TARGET_GROUP}]})),
    )
    expect(error.name).toBe('ValidationError')
    expect(error).toBeInstanceOf(AutoScalingServiceException)
    expect(await trafficStates(h, group)).toEqual([])

    const unknown = await rejection(h.clients.autoScaling.send(new DescribeTrafficSourcesCommand({AutoScalingGroupName: 'nope'})))
    expect(unknown.name).toBe('ValidationError')
    expect(unknown.message).toBe('AutoScalingGroup name not found - AutoScalingGroup nope not found')
  })
})

describe('Auto Scaling: capacity', () => {
  it('scales to zero, terminating newest first, and back', async () => {
    const h = harness()
    const group = await readyFleet(h, 'web-v1', '1.0.0', 3)
    const before = (await describeGroup(h, group))!.Instances!.map((i) => i.InstanceId!)

    await h.clients.autoScaling.send(new SetDesiredCapacityCommand({AutoScalingGroupName: group, DesiredCapacity: 1}))
    const shrinking = (await describeGroup(h, group))!
    expect(shrinking.DesiredCapacity).toBe(1)
    expect(shrinking.Instances!.map((i) => [i.InstanceId, i.LifecycleState])).toEqual([
      [before[0], 'InService'],
      [before[1], 'Terminating'],
      [before[2], 'Terminating'],
    ])

    await h.clients.autoScaling.send(new UpdateAutoScalingGroupCommand({AutoScalingGroupName: group, MinSize: 0, DesiredCapacity: 0}))
    const lifecycles: string[] = []
    await waitFor(h, async () => {
      const instances = (await describeGroup(h, group))!.Instances!
      const state = instances.map((i) => i.LifecycleState).join(',')
      if (lifecycles.at(-1) !== state) lifecycles.push(state)
      return instances.length === 0
    })
    expect(lifecycles[0]).toBe('Terminating,Terminating,Terminating')
    expect(lifecycles.some((state) => state.split(',').includes('Terminated'))).toBe(true)
    expect(lifecycles.at(-1)).toBe('')

    await h.clients.autoScaling.send(new SetDesiredCapacityCommand({AutoScalingGroupName: group, DesiredCapacity: 2}))
    await waitFor(h, async () => (await describeGroup(h, group))!.Instances!.filter((i) => i.LifecycleState === 'InService').length === 2)
  })

  it('refuses capacities outside the bounds with the AWS messages', async () => {
    const h = harness()
    const group = await readyFleet(h, 'web-v1', '1.0.0', 2)
    const update = await rejection(
      h.clients.autoScaling.send(new UpdateAutoScalingGroupCommand({AutoScalingGroupName: group, MinSize: 1, MaxSize: 3, DesiredCapacity: 5})),
    )
    expect([update.name, update.message]).toEqual(['ValidationError', 'Desired capacity:5 must be between the specified min size:1 and max size:3'])
    const above = await rejection(h.clients.autoScaling.send(new SetDesiredCapacityCommand({AutoScalingGroupName: group, DesiredCapacity: 21})))
    expect(above.message).toBe('New SetDesiredCapacity value 21 is above max value 20 for the AutoScalingGroup.')
    const unknown = await rejection(h.clients.autoScaling.send(new SetDesiredCapacityCommand({AutoScalingGroupName: 'nope', DesiredCapacity: 1})))
    expect(unknown.message).toMatch(/^AutoScalingGroup name not found - /)
    // Lowering MaxSize alone moves the desired capacity into the new bounds, as AWS does.
    await h.clients.autoScaling.send(new UpdateAutoScalingGroupCommand({AutoScalingGroupName: group, MaxSize: 1}))
    expect((await describeGroup(h, group))!.DesiredCapacity).toBe(1)
  })

  it('moves instances to Standby and back', async () => {
    const h = harness()
    const group = await readyFleet(h, 'web-v1', '1.0.0', 2)
    const [first] = (await describeGroup(h, group))!.Instances!.map((i) => i.InstanceId!)

    const entered = await h.clients.autoScaling.send(
      new EnterStandbyCommand({AutoScalingGroupName: group, InstanceIds: [first!], ShouldDecrementDesiredCapacity: true}),
    )
    expect(entered.Activities![0]).toMatchObject({StatusCode: 'InProgress', Description: `Moving EC2 instance to Standby: ${first}`})
    let found = (await describeGroup(h, group))!
    expect(found.DesiredCapacity).toBe(1)
    expect(found.Instances!.find((i) => i.InstanceId === first)!.LifecycleState).toBe('EnteringStandby')
    await waitFor(h, async () => (await describeGroup(h, group))!.Instances!.find((i) => i.InstanceId === first)!.LifecycleState === 'Standby')

    const notInStandby = await rejection(
      h.clients.autoScaling.send(new EnterStandbyCommand({AutoScalingGroupName: group, InstanceIds: [first!], ShouldDecrementDesiredCapacity: true})),
    )
    expect(notInStandby.message).toBe(`The instance ${first} is not in InService.`)

    await h.clients.autoScaling.send(new ExitStandbyCommand({AutoScalingGroupName: group, InstanceIds: [first!]}))
    found = (await describeGroup(h, group))!
    expect(found.DesiredCapacity).toBe(2)
    expect(found.Instances!.find((i) => i.InstanceId === first)!.LifecycleState).toBe('Pending')
    await waitFor(h, async () => (await describeGroup(h, group))!.Instances!.every((i) => i.LifecycleState === 'InService'))
    expect((await describeGroup(h, group))!.Instances).toHaveLength(2)
  })

  it('launches a replacement when standby does not decrement the desired capacity', async () => {
    const h = harness()
    const group = await readyFleet(h, 'web-v1', '1.0.0', 1)
    const [only] = (await describeGroup(h, group))!.Instances!.map((i) => i.InstanceId!)
    await h.clients.autoScaling.send(
      new EnterStandbyCommand({AutoScalingGroupName: group, InstanceIds: [only!], ShouldDecrementDesiredCapacity: false}),
    )
    const instances = (await describeGroup(h, group))!.Instances!
    expect(instances.map((i) => i.LifecycleState)).toEqual(['EnteringStandby', 'Pending'])
  })
})

describe('Auto Scaling: paging', () => {
  it('pages DescribeAutoScalingGroups through paginateDescribeAutoScalingGroups', async () => {
    const h = harness({timings: {stackResourceMs: [100, 100], instanceBootMs: [100, 100]}})
    for (let i = 0; i < 5; i++) await createStack(h, `web-${i}`, `${i}.0.0`, {capacity: 1, template: fleetTemplate()})
    await waitFor(h, async () => h.account.view().stacks.every((stack) => stack.status === 'CREATE_COMPLETE'))
    const names: string[] = []
    let pages = 0
    for await (const page of paginateDescribeAutoScalingGroups({client: h.clients.autoScaling, pageSize: 2}, {})) {
      pages += 1
      names.push(...page.AutoScalingGroups!.map((group) => group.AutoScalingGroupName!))
    }
    expect(pages).toBe(3)
    expect(new Set(names).size).toBe(5)
  })
})
