import {
  CloudFormationServiceException,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  paginateDescribeStackEvents,
  ValidateTemplateCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation'
import {describe, expect, it} from 'vitest'
import {
  createStack,
  describeGroup,
  describeStack,
  fleetTemplate,
  harness,
  rejection,
  waitFor,
  waitForStatus,
  type Harness,
} from './helpers.js'

async function events(h: Harness, stack: string): Promise<StackEvent[]> {
  const all: StackEvent[] = []
  for await (const page of paginateDescribeStackEvents({client: h.clients.cloudFormation}, {StackName: stack})) {
    all.push(...(page.StackEvents ?? []))
  }
  return all
}

/** Oldest first, as "logicalId status" lines. */
async function eventLines(h: Harness, stack: string): Promise<string[]> {
  return (await events(h, stack)).reverse().map((event) => `${event.LogicalResourceId} ${event.ResourceStatus}`)
}

describe('CloudFormation: creating a stack', () => {
  it('goes CREATE_IN_PROGRESS -> CREATE_COMPLETE with events carrying the token, and its instances boot', async () => {
    const h = harness()
    const stackId = await createStack(h, 'web-v1', '1.0.0', {capacity: 3, token: 'release-1-provision'})
    expect(stackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/web-v1\/[0-9a-f-]{36}$/)
    expect(await describeStack(h, 'web-v1')).toMatchObject({StackStatus: 'CREATE_IN_PROGRESS', StackStatusReason: 'User Initiated'})

    const stack = await waitForStatus(h, 'web-v1', 'CREATE_COMPLETE')
    expect(stack.CreationTime).toBeInstanceOf(Date)
    expect(stack.Parameters).toEqual(
      expect.arrayContaining([
        {ParameterKey: 'Version', ParameterValue: '1.0.0'},
        {ParameterKey: 'Capacity', ParameterValue: '3'},
      ]),
    )
    expect(stack.Tags).toEqual([{Key: 'release:target', Value: 'web'}])
    const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]))
    expect(outputs['GroupName']).toMatch(/^web-v1-Group-[A-Z0-9]{12}$/)
    expect(outputs['LaunchTemplateId']).toMatch(/^lt-[0-9a-f]{17}$/)

    const all = await events(h, 'web-v1')
    expect(all.every((event) => event.ClientRequestToken === 'release-1-provision')).toBe(true)
    expect(all.every((event) => event.Timestamp instanceof Date && event.StackId === stackId && event.EventId)).toBe(true)
    expect(await eventLines(h, 'web-v1')).toEqual([
      'web-v1 CREATE_IN_PROGRESS',
      'LaunchTemplate CREATE_IN_PROGRESS',
      'LaunchTemplate CREATE_IN_PROGRESS',
      'LaunchTemplate CREATE_COMPLETE',
      'Group CREATE_IN_PROGRESS',
      'Group CREATE_IN_PROGRESS',
      'Group CREATE_COMPLETE',
      'web-v1 CREATE_COMPLETE',
    ])
    expect(all[0]).toMatchObject({ResourceType: 'AWS::CloudFormation::Stack', PhysicalResourceId: stackId})

    const group = await waitFor(h, async () => {
      const found = await describeGroup(h, outputs['GroupName'])
      const ready = found?.Instances?.filter((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy')
      return ready?.length === 3 ? found : undefined
    })
    expect(group.DesiredCapacity).toBe(3)
    expect(group.Instances!.every((i) => /^i-[0-9a-f]{17}$/.test(i.InstanceId!))).toBe(true)
    expect(group.Tags).toEqual(expect.arrayContaining([expect.objectContaining({Key: 'aws:cloudformation:stack-name', Value: 'web-v1'})]))
    expect(h.account.view().groups[0]!.instances.map((i) => i.version)).toEqual(['1.0.0', '1.0.0', '1.0.0'])
  })

  it('answers a retry with the same token with the same stack id, and another token with AlreadyExistsException', async () => {
    const h = harness()
    const first = await createStack(h, 'web-v1', '1.0.0', {token: 'tok-a'})
    h.clock.advance(3_000)
    expect(await createStack(h, 'web-v1', '1.0.0', {token: 'tok-a'})).toBe(first)

    const error = await rejection(createStack(h, 'web-v1', '1.0.0', {token: 'tok-b'}))
    expect(error.name).toBe('AlreadyExistsException')
    expect(error.message).toBe('Stack [web-v1] already exists')
    expect(error).toBeInstanceOf(CloudFormationServiceException)
    expect(error['$metadata']).toMatchObject({httpStatusCode: 400})
    expect(typeof (error['$metadata'] as {requestId?: string}).requestId).toBe('string')
    const stacks = await h.clients.cloudFormation.send(new DescribeStacksCommand({}))
    expect(stacks.Stacks).toHaveLength(1)
  })

  it('refuses bad names, templates and parameters with ValidationError before changing anything', async () => {
    const h = harness()
    const badName = await rejection(createStack(h, 'web_v1', '1'))
    expect(badName.name).toBe('ValidationError')
    expect(badName.message).toContain("Value 'web_v1' at 'stackName' failed to satisfy constraint")

    const badTemplate = await rejection(createStack(h, 'web', '1', {template: '{"Resources": '}))
    expect(badTemplate.name).toBe('ValidationError')
    expect(badTemplate.message).toMatch(/^Template format error/)

    const missing = await rejection(
      h.clients.cloudFormation.send(
        new (await import('@aws-sdk/client-cloudformation')).CreateStackCommand({StackName: 'web', TemplateBody: fleetTemplate()}),
      ),
    )
    expect(missing.name).toBe('ValidationError')
    expect(missing.message).toBe('Parameters: [Version] must have values')

    expect((await h.clients.cloudFormation.send(new DescribeStacksCommand({}))).Stacks).toEqual([])
  })

  it('validates templates like ValidateTemplate does', async () => {
    const h = harness()
    const answer = await h.clients.cloudFormation.send(new ValidateTemplateCommand({TemplateBody: fleetTemplate()}))
    expect(answer.Parameters).toEqual([
      {ParameterKey: 'Version', DefaultValue: undefined, NoEcho: false, Description: 'the release version'},
      {ParameterKey: 'Capacity', DefaultValue: '2', NoEcho: false, Description: undefined},
    ])
    expect(answer.Description).toBe('simulated fleet')
    const error = await rejection(h.clients.cloudFormation.send(new ValidateTemplateCommand({TemplateBody: 'Resources: ['})))
    expect(error.name).toBe('ValidationError')
  })
})

describe('CloudFormation: failed creation rolls back', () => {
  it('fails the AutoScalingGroup for a failStackCreation version and ends ROLLBACK_COMPLETE with nothing left', async () => {
    const h = harness({faults: {failStackCreation: ['*-broken']}})
    await createStack(h, 'web-v2', '2.0.0-broken', {token: 'release-2-provision'})
    const inProgress = await waitForStatus(h, 'web-v2', 'ROLLBACK_IN_PROGRESS')
    expect(inProgress.StackStatusReason).toBe('The following resource(s) failed to create: [Group]. Rollback requested by user.')

    await waitForStatus(h, 'web-v2', 'ROLLBACK_COMPLETE')
    const all = await events(h, 'web-v2')
    expect(all.every((event) => event.ClientRequestToken === 'release-2-provision')).toBe(true)
    const failed = all.find((event) => event.ResourceStatus === 'CREATE_FAILED')!
    expect(failed.LogicalResourceId).toBe('Group')
    expect(failed.ResourceStatusReason).toContain('failStackCreation')
    expect((await eventLines(h, 'web-v2')).slice(-7)).toEqual([
      'Group CREATE_FAILED',
      'web-v2 ROLLBACK_IN_PROGRESS',
      'Group DELETE_IN_PROGRESS',
      'Group DELETE_COMPLETE',
      'LaunchTemplate DELETE_IN_PROGRESS',
      'LaunchTemplate DELETE_COMPLETE',
      'web-v2 ROLLBACK_COMPLETE',
    ])
    const view = h.account.view()
    expect(view.groups).toEqual([])
    expect(view.stacks.map((s) => s.status)).toEqual(['ROLLBACK_COMPLETE'])

    // The failed stack still holds its name until deleted.
    expect((await rejection(createStack(h, 'web-v2', '2.0.1', {token: 'other'}))).name).toBe('AlreadyExistsException')
  })

  it('detects drift on a rolled back stack: only the resources its creation reached are listed', async () => {
    const h = harness({faults: {failStackCreation: ['*-broken']}})
    const template = JSON.parse(fleetTemplate()) as {Resources: Record<string, unknown>}
    // Created after the group, which fails: never created at all.
    template.Resources['Queue'] = {Type: 'AWS::SQS::Queue', DependsOn: 'Group'}
    await createStack(h, 'web-v4', '4.0.0-broken', {template: JSON.stringify(template)})
    await waitForStatus(h, 'web-v4', 'ROLLBACK_COMPLETE')
    const cfn = h.clients.cloudFormation
    await cfn.send(new DetectStackDriftCommand({StackName: 'web-v4'}))
    const drifts = await cfn.send(new DescribeStackResourceDriftsCommand({StackName: 'web-v4'}))
    expect(drifts.StackResourceDrifts?.map((d) => d.LogicalResourceId)).toEqual(['LaunchTemplate', 'Group'])
  })

  it('fails fast on MinSize > MaxSize with the Auto Scaling message', async () => {
    const h = harness()
    await createStack(h, 'web-v3', '3.0.0', {template: fleetTemplate({minSize: '5', maxSize: '2'}), capacity: 3})
    await waitForStatus(h, 'web-v3', 'ROLLBACK_COMPLETE')
    const failed = (await events(h, 'web-v3')).find((event) => event.ResourceStatus === 'CREATE_FAILED')!
    expect(failed.LogicalResourceId).toBe('Group')
    expect(failed.ResourceStatusReason).toContain('Max bound, 2, must be greater than or equal to min bound, 5')
    expect(h.account.view().groups).toEqual([])
  })
})

describe('CloudFormation: deleting a stack', () => {
  it('terminates instances, deletes resources in reverse order, then the stack no longer exists by name', async () => {
    const h = harness()
    const stackId = await createStack(h, 'web-v1', '1.0.0', {capacity: 2})
    await waitForStatus(h, 'web-v1', 'CREATE_COMPLETE')
    await waitFor(h, async () => h.account.view().groups[0]!.instances.every((i) => i.lifecycle === 'InService'))

    await h.clients.cloudFormation.send(new DeleteStackCommand({StackName: 'web-v1', ClientRequestToken: 'release-1-retire'}))
    expect(await describeStack(h, 'web-v1')).toMatchObject({StackStatus: 'DELETE_IN_PROGRESS'})
    h.clock.advance(1)
    expect(h.account.view().groups[0]!.instances.map((i) => i.lifecycle)).toEqual(['Terminating', 'Terminating'])
    // Repeating the call is harmless.
    await h.clients.cloudFormation.send(new DeleteStackCommand({StackName: 'web-v1', ClientRequestToken: 'release-1-retire'}))

    await waitFor(h, async () => {
      const error = await rejection(describeStack(h, 'web-v1')).catch(() => undefined)
      return error?.message === 'Stack with id web-v1 does not exist' ? error : undefined
    })
    const gone = await rejection(describeStack(h, 'web-v1'))
    expect(gone.name).toBe('ValidationError')
    expect(gone).toBeInstanceOf(CloudFormationServiceException)

    const byId = await describeStack(h, stackId)
    expect(byId.StackStatus).toBe('DELETE_COMPLETE')
    expect(byId.DeletionTime).toBeInstanceOf(Date)
    const deleteEvents = (await events(h, stackId)).filter((event) => event.ClientRequestToken === 'release-1-retire').reverse()
    expect(deleteEvents.map((event) => `${event.LogicalResourceId} ${event.ResourceStatus}`)).toEqual([
      'web-v1 DELETE_IN_PROGRESS',
      'Group DELETE_IN_PROGRESS',
      'Group DELETE_COMPLETE',
      'LaunchTemplate DELETE_IN_PROGRESS',
      'LaunchTemplate DELETE_COMPLETE',
      'web-v1 DELETE_COMPLETE',
    ])
    expect(h.account.view()).toMatchObject({stacks: [], groups: []})

    // Deleting an absent stack is a no-op, as in AWS; the name can be used again.
    await h.clients.cloudFormation.send(new DeleteStackCommand({StackName: 'web-v1'}))
    await createStack(h, 'web-v1', '1.0.1', {token: 'again'})
    const listed = await h.clients.cloudFormation.send(new ListStacksCommand({}))
    expect(listed.StackSummaries!.map((s) => s.StackStatus)).toEqual(['CREATE_IN_PROGRESS', 'DELETE_COMPLETE'])
  })

  it('ends DELETE_FAILED for a failStackDeletion version and leaves the group in place', async () => {
    const h = harness({faults: {failStackDeletion: ['1.*']}})
    await createStack(h, 'web-v1', '1.0.0')
    await waitForStatus(h, 'web-v1', 'CREATE_COMPLETE')
    await h.clients.cloudFormation.send(new DeleteStackCommand({StackName: 'web-v1', ClientRequestToken: 'retire'}))
    const stack = await waitForStatus(h, 'web-v1', 'DELETE_FAILED')
    expect(stack.StackStatusReason).toBe('The following resource(s) failed to delete: [Group]. ')
    const failed = (await events(h, 'web-v1')).filter((event) => event.ResourceStatus === 'DELETE_FAILED')
    expect(failed.map((event) => [event.LogicalResourceId, event.ClientRequestToken])).toEqual([
      ['web-v1', 'retire'],
      ['Group', 'retire'],
    ])
    expect(h.account.view().groups[0]!.instances).toHaveLength(2)

    // Once the fault is gone, deleting again works.
    h.account.setFaults({})
    await h.clients.cloudFormation.send(new DeleteStackCommand({StackName: 'web-v1', ClientRequestToken: 'retire-again'}))
    await waitFor(h, async () => h.account.view().stacks.length === 0)
  })

  it('refuses to reuse the create token for a delete', async () => {
    const h = harness()
    await createStack(h, 'web-v1', '1.0.0', {token: 'tok'})
    const error = await rejection(h.clients.cloudFormation.send(new DeleteStackCommand({StackName: 'web-v1', ClientRequestToken: 'tok'})))
    expect(error.name).toBe('TokenAlreadyExistsException')
  })

  it('cancels a creation in progress', async () => {
    const h = harness()
    await createStack(h, 'web-v1', '1.0.0')
    await h.clients.cloudFormation.send(new DeleteStackCommand({StackName: 'web-v1', ClientRequestToken: 'cancel'}))
    const lines = await eventLines(h, 'web-v1')
    expect(lines).toContain('LaunchTemplate CREATE_FAILED')
    await waitFor(h, async () => h.account.view().stacks.length === 0)
  })
})

describe('CloudFormation: reading', () => {
  it('answers events newest first, and lists resources in creation order', async () => {
    const h = harness()
    await createStack(h, 'web-v1', '1.0.0')
    await waitForStatus(h, 'web-v1', 'CREATE_COMPLETE')
    const first = await h.clients.cloudFormation.send(new DescribeStackEventsCommand({StackName: 'web-v1'}))
    expect(first.NextToken).toBeUndefined()
    const times = first.StackEvents!.map((event) => event.Timestamp!.getTime())
    expect([...times].sort((a, b) => b - a)).toEqual(times)

    const resources = await h.clients.cloudFormation.send(new ListStackResourcesCommand({StackName: 'web-v1'}))
    expect(resources.StackResourceSummaries!.map((r) => [r.LogicalResourceId, r.ResourceType, r.ResourceStatus])).toEqual([
      ['LaunchTemplate', 'AWS::EC2::LaunchTemplate', 'CREATE_COMPLETE'],
      ['Group', 'AWS::AutoScaling::AutoScalingGroup', 'CREATE_COMPLETE'],
    ])
  })

  it('pages more than 100 events through paginateDescribeStackEvents', async () => {
    const resources: Record<string, unknown> = {}
    for (let i = 0; i < 40; i++) resources[`Thing${i}`] = {Type: 'AWS::SNS::Topic', Properties: {}}
    const h = harness({timings: {stackResourceMs: [10, 10]}})
    await createStack(h, 'many', '1', {
      template: JSON.stringify({Parameters: {Version: {Type: 'String'}, Capacity: {Type: 'Number'}}, Resources: resources}),
    })
    await waitForStatus(h, 'many', 'CREATE_COMPLETE')
    const all = await events(h, 'many')
    expect(all).toHaveLength(2 + 40 * 3)
    expect(new Set(all.map((event) => event.EventId)).size).toBe(all.length)
    expect(all[0]!.ResourceStatus).toBe('CREATE_COMPLETE')
    expect(all.at(-1)!.ResourceStatus).toBe('CREATE_IN_PROGRESS')
    const physical = all.find((event) => event.LogicalResourceId === 'Thing7' && event.PhysicalResourceId)!.PhysicalResourceId
    expect(physical).toMatch(/^many-Thing7-[A-Z0-9]{12}$/)
  })
})
