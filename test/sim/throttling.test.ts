import {CloudFormationServiceException, DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {AutoScalingServiceException, DescribeAutoScalingGroupsCommand} from '@aws-sdk/client-auto-scaling'
import {ListCommandsCommand, ThrottlingException} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {harness, rejection} from './helpers.js'

describe('throttling', () => {
  it('throws each service\'s throttling error, marked retryable', async () => {
    const h = harness({faults: {throttle: {rate: 1}}})
    const cfn = await rejection(h.clients.cloudFormation.send(new DescribeStacksCommand({})))
    expect(cfn).toBeInstanceOf(CloudFormationServiceException)
    expect([cfn.name, cfn.message, cfn['$retryable']]).toEqual(['Throttling', 'Rate exceeded', {throttling: true}])

    const asg = await rejection(h.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({})))
    expect(asg).toBeInstanceOf(AutoScalingServiceException)
    expect([asg.name, asg.message, asg['$retryable']]).toEqual(['Throttling', 'Rate exceeded', {throttling: true}])

    const ssm = await rejection(h.clients.ssm.send(new ListCommandsCommand({})))
    expect(ssm).toBeInstanceOf(ThrottlingException)
    expect([ssm.name, ssm['$retryable']]).toEqual(['ThrottlingException', {throttling: true}])
  })

  it('throttles only the services and the virtual-time window given, at the given rate', async () => {
    const h = harness()
    const start = h.clock.now()
    h.account.setFaults({throttle: {rate: 0.5, from: start + 60_000, until: start + 120_000, services: ['cloudformation']}})
    const outcomes = async () => {
      let throttled = 0
      for (let i = 0; i < 200; i++) {
        try {
          await h.clients.cloudFormation.send(new DescribeStacksCommand({}))
        } catch (error) {
          expect((error as Error).name).toBe('Throttling')
          throttled += 1
        }
      }
      return throttled
    }
    expect(await outcomes()).toBe(0)
    h.clock.advance(60_000)
    const inWindow = await outcomes()
    expect(inWindow).toBeGreaterThan(60)
    expect(inWindow).toBeLessThan(140)
    await h.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({}))
    h.clock.advance(60_000)
    expect(await outcomes()).toBe(0)
  })
})
