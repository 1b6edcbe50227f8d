/**
 * faults.allowActions is the caller's IAM policy: an action it does not allow is refused before the
 * service sees the call, with the error each service gives (AccessDenied from the Query-protocol
 * services, AccessDeniedException from SSM and EventBridge, AuthorizationError from SNS), and
 * nothing changes in the account.
 */
import {CloudFormationServiceException, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {AutoScalingServiceException, DescribeAutoScalingGroupsCommand, EnterStandbyCommand} from '@aws-sdk/client-auto-scaling'
import {DescribeTargetGroupsCommand, ElasticLoadBalancingV2ServiceException} from '@aws-sdk/client-elastic-load-balancing-v2'
import {AccessDeniedException, ListCommandsCommand, SendCommandCommand} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {credentialsError} from '../../src/app/credentials-error.js'
import {allows} from '../../src/sim/iam.js'
import {groupInstanceIds, harness, rejection} from './helpers.js'

const FLEET = {instances: 2, version: '1.0.0'}

describe('allows', () => {
  it('reads patterns as IAM does: case-insensitive, * and ?, everything when no policy is given', () => {
    expect(allows(undefined, 'ssm:SendCommand')).toBe(true)
    expect(allows([], 'ssm:SendCommand')).toBe(false)
    expect(allows(['ssm:sendcommand'], 'ssm:SendCommand')).toBe(true)
    expect(allows(['autoscaling:Describe*'], 'autoscaling:DescribeAutoScalingGroups')).toBe(true)
    expect(allows(['autoscaling:Describe*'], 'autoscaling:EnterStandby')).toBe(false)
    expect(allows(['ssm:?etParameter'], 'ssm:GetParameter')).toBe(true)
    expect(allows(['ssm:?etParameter'], 'ssm:PutParameters')).toBe(false)
    expect(allows(['*'], 'events:PutEvents')).toBe(true)
    // The prefix is part of the action: an SSM pattern allows no Auto Scaling call.
    expect(allows(['ssm:*'], 'autoscaling:DescribeAutoScalingGroups')).toBe(false)
    // Regular-expression characters in a pattern are themselves.
    expect(allows(['ssm:Send.ommand'], 'ssm:SendCommand')).toBe(false)
  })
})

describe('a call the policy does not allow', () => {
  it('is refused with each service\'s own error, naming the action, and counted', async () => {
    const h = harness({fleets: {web: FLEET}, faults: {allowActions: ['autoscaling:Describe*']}})
    expect(await h.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({AutoScalingGroupNames: ['web']}))).toBeDefined()

    const cfn = await rejection(h.clients.cloudFormation.send(new DescribeStacksCommand({})))
    expect(cfn).toBeInstanceOf(CloudFormationServiceException)
    expect(cfn.name).toBe('AccessDenied')
    expect(cfn.message).toMatch(/is not authorized to perform: cloudformation:DescribeStacks because no identity-based policy allows/)
    expect(cfn.$metadata).toMatchObject({httpStatusCode: 403})

    const asg = await rejection(h.clients.autoScaling.send(new EnterStandbyCommand({AutoScalingGroupName: 'web', InstanceIds: ['i-1'], ShouldDecrementDesiredCapacity: true})))
    expect(asg).toBeInstanceOf(AutoScalingServiceException)
    expect([asg.name, asg.message]).toEqual(['AccessDenied', expect.stringContaining('autoscaling:EnterStandby')])

    const elb = await rejection(h.clients.elbv2.send(new DescribeTargetGroupsCommand({})))
    expect(elb).toBeInstanceOf(ElasticLoadBalancingV2ServiceException)
    expect([elb.name, elb.message]).toEqual(['AccessDenied', expect.stringContaining('elasticloadbalancing:DescribeTargetGroups')])

    const ssm = await rejection(h.clients.ssm.send(new ListCommandsCommand({})))
    expect(ssm).toBeInstanceOf(AccessDeniedException)
    expect(ssm.message).toContain('ssm:ListCommands')

    const sns = await rejection(h.account.handle('sns', 'Publish', {TopicArn: 'arn:aws:sns:us-east-1:123456789012:releases', Message: 'hi'}))
    expect([sns.name, sns.message]).toEqual(['AuthorizationErrorException', expect.stringContaining('sns:Publish')])
    const events = await rejection(h.account.handle('eventbridge', 'PutEvents', {Entries: []}))
    expect([events.name, events.message]).toEqual(['AccessDeniedException', expect.stringContaining('events:PutEvents')])

    expect(h.account.metrics().denied).toBe(6)
    // `release` tells each for what it is: a permission to grant (exit 2), not a failure of the release.
    for (const error of [cfn, asg, elb, ssm, sns, events]) expect(credentialsError(error)?.code).toBe('E_AWS_ACCESS_DENIED')
  })

  it('changes nothing: a refused SendCommand sends no command, a refused EnterStandby moves no instance', async () => {
    const h = harness({fleets: {web: FLEET}, faults: {allowActions: ['autoscaling:DescribeAutoScalingGroups', 'ssm:ListCommands']}})
    const ids = await groupInstanceIds(h, 'web')
    await rejection(h.clients.ssm.send(new SendCommandCommand({DocumentName: 'AWS-RunShellScript', InstanceIds: ids, Parameters: {commands: ['true']}})))
    await rejection(h.clients.autoScaling.send(new EnterStandbyCommand({AutoScalingGroupName: 'web', InstanceIds: ids, ShouldDecrementDesiredCapacity: true})))
    expect((await h.clients.ssm.send(new ListCommandsCommand({}))).Commands).toEqual([])
    const group = (await h.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({AutoScalingGroupNames: ['web']}))).AutoScalingGroups?.[0]
    expect(group?.Instances?.map((i) => i.LifecycleState)).toEqual(['InService', 'InService'])
  })
})
