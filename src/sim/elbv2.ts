import type {
  DescribeTargetGroupAttributesInput,
  DescribeTargetGroupAttributesOutput,
  DescribeTargetGroupsInput,
  DescribeTargetGroupsOutput,
  DescribeTargetHealthInput,
  DescribeTargetHealthOutput,
  TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import {elbv2Errors as errors} from './errors.js'
import type {Model} from './model.js'
import {page, pageSize} from './paging.js'
import {findTargetGroup, targetGroups} from './targets.js'
import type {TargetGroupRecord} from './types.js'
import {serviceHandler, type CommandHandler} from './dispatch.js'

/** The Elastic Load Balancing v2 API of the simulated account: target groups and target health (read only). */

function requireTargetGroup(model: Model, arn: string | undefined): TargetGroupRecord {
  const tg = arn ? findTargetGroup(model, arn) : undefined
  if (!tg) throw errors.targetGroupNotFound()
  return tg
}

function describeTargetGroups(model: Model, input: DescribeTargetGroupsInput): DescribeTargetGroupsOutput {
  const arns = input.TargetGroupArns ?? []
  const names = input.Names ?? []
  if (arns.length > 0 && names.length > 0) throw errors.validation('Target group names and target group ARNs cannot be specified at the same time')
  let chosen: TargetGroupRecord[]
  if (arns.length > 0) chosen = arns.map((arn) => requireTargetGroup(model, arn))
  else if (names.length > 0) {
    chosen = names.map((name) => {
      const tg = Object.values(targetGroups(model)).find((entry) => entry.name === name)
      if (!tg) throw errors.targetGroupNotFound()
      return tg
    })
  } else chosen = Object.values(targetGroups(model)).sort((a, b) => a.arn.localeCompare(b.arn))
  const {items, nextToken} = page(chosen, input.Marker, pageSize(input.PageSize, 400, 400), () => errors.validation('Invalid Marker'))
  return {
    TargetGroups: items.map((tg) => ({
      TargetGroupArn: tg.arn,
      TargetGroupName: tg.name,
      Protocol: 'HTTP',
      Port: 80,
      TargetType: 'instance',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckPath: '/',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: tg.intervalSeconds,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: tg.healthyThreshold,
      UnhealthyThresholdCount: tg.unhealthyThreshold,
      Matcher: {HttpCode: '200'},
    })),
    NextMarker: nextToken,
  }
}

function describeTargetGroupAttributes(model: Model, input: DescribeTargetGroupAttributesInput): DescribeTargetGroupAttributesOutput {
  const tg = requireTargetGroup(model, input.TargetGroupArn)
  return {
    Attributes: [
      {Key: 'deregistration_delay.timeout_seconds', Value: String(tg.deregistrationDelaySeconds)},
      {Key: 'stickiness.enabled', Value: 'false'},
      {Key: 'load_balancing.algorithm.type', Value: 'round_robin'},
    ],
  }
}

const DESCRIPTIONS: Record<string, string> = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  'Target.ResponseCodeMismatch': 'Health checks failed with these codes: [502]',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
  'Target.NotRegistered': 'Target is not registered to the target group',
}

/** Without Targets: every registered target. With Targets: those, `unused` when not registered. */
function describeTargetHealth(model: Model, input: DescribeTargetHealthInput): DescribeTargetHealthOutput {
  const tg = requireTargetGroup(model, input.TargetGroupArn)
  const wanted = input.Targets?.map((target) => target.Id ?? '')
  const ids = wanted && wanted.length > 0 ? wanted : Object.keys(tg.targets).sort()
  return {
    TargetHealthDescriptions: ids.map((id) => {
      const target = tg.targets[id]
      const state = target?.state ?? 'unused'
      const reason = target ? target.reason : 'Target.NotRegistered'
      return {
        Target: {Id: id, Port: 80},
        HealthCheckPort: '80',
        TargetHealth: {
          State: state as TargetHealthStateEnum,
          ...(reason ? {Reason: reason as never, Description: DESCRIPTIONS[reason]} : {}),
        },
      }
    }),
  }
}

const COMMANDS: Record<string, CommandHandler> = {
  DescribeTargetGroups: describeTargetGroups,
  DescribeTargetGroupAttributes: describeTargetGroupAttributes,
  DescribeTargetHealth: describeTargetHealth,
}

export const handleElbv2 = serviceHandler('elbv2', COMMANDS)
