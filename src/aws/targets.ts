import type {ElasticLoadBalancingV2Client} from '@aws-sdk/client-elastic-load-balancing-v2'
import type {Clock} from '../ports/clock.js'
import type {TargetGroupInfo, TargetGroupPort, TargetHealthInfo} from '../ports/targets.js'
import {type AdapterRetryOptions, errorName, retryingClient} from './retrying.js'
import {sdk} from './sdk.js'

const {DescribeTargetGroupAttributesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand} = sdk.elbv2()

export interface ElbTargetGroupsOptions {
  client: ElasticLoadBalancingV2Client
  clock: Clock
  retry?: AdapterRetryOptions
}

/** AWS's default when the attribute is absent. */
const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300

export class ElbTargetGroups implements TargetGroupPort {
  private readonly elb: ElasticLoadBalancingV2Client

  constructor(options: ElbTargetGroupsOptions) {
    this.elb = retryingClient(options.client, options.clock, 'elbv2', options.retry)
  }

  async describeTargetGroups(arns: string[]): Promise<{found: TargetGroupInfo[]; missing: string[]}> {
    const found: TargetGroupInfo[] = []
    const missing: string[] = []
    // One ARN a call: TargetGroupNotFound for a batch does not say which one is missing.
    for (const arn of [...new Set(arns)]) {
      let group
      try {
        group = (await this.elb.send(new DescribeTargetGroupsCommand({TargetGroupArns: [arn]}))).TargetGroups?.[0]
      } catch (error) {
        if (errorName(error) === 'TargetGroupNotFoundException' || errorName(error) === 'ValidationError') {
          missing.push(arn)
          continue
        }
        throw error
      }
      if (!group) {
        missing.push(arn)
        continue
      }
      const attributes = await this.elb.send(new DescribeTargetGroupAttributesCommand({TargetGroupArn: arn}))
      const delay = attributes.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value
      found.push({
        arn,
        deregistrationDelaySeconds: delay === undefined ? DEFAULT_DEREGISTRATION_DELAY_SECONDS : Number(delay),
        intervalSeconds: group.HealthCheckIntervalSeconds ?? 30,
        healthyThreshold: group.HealthyThresholdCount ?? 5,
        unhealthyThreshold: group.UnhealthyThresholdCount ?? 2,
      })
    }
    return {found, missing}
  }

  async describeTargetHealth(targetGroup: string, instanceIds: string[]): Promise<TargetHealthInfo[]> {
    const wanted = new Set(instanceIds)
    if (wanted.size === 0) return []
    // Every registered target in one call, then ours picked out: naming targets that were just
    // terminated would make the call fail with InvalidTarget.
    const answer = await this.elb.send(new DescribeTargetHealthCommand({TargetGroupArn: targetGroup}))
    const seen = new Map<string, TargetHealthInfo>()
    for (const d of answer.TargetHealthDescriptions ?? []) {
      const id = d.Target?.Id
      if (id === undefined || !wanted.has(id)) continue
      seen.set(id, {instanceId: id, state: d.TargetHealth?.State ?? 'unavailable', reason: d.TargetHealth?.Reason})
    }
    return [...wanted].map((id) => seen.get(id) ?? {instanceId: id, state: 'unused', reason: 'Target.NotRegistered'})
  }
}
