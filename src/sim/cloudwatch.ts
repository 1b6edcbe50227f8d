/**
 * The CloudWatch API of the simulated account: DescribeAlarms and SetAlarmState. Loaded only when a
 * CloudWatch call comes (account.ts), so releases without alarms never load the SDK package.
 */
import type {DescribeAlarmsInput, DescribeAlarmsOutput, SetAlarmStateInput, StateValue} from '@aws-sdk/client-cloudwatch'
import {alarms, evaluateAlarms, setState} from './alarms.js'
import {serviceHandler, type CommandHandler} from './dispatch.js'
import type {Model} from './model.js'
import {page, pageSize} from './paging.js'
import {sdk} from '../aws/sdk.js'

const {CloudWatchServiceException, InvalidNextToken, ResourceNotFound} = sdk.cloudWatch()

const metadata = () => ({httpStatusCode: 400})
const validation = (message: string) => new CloudWatchServiceException({name: 'ValidationError', $fault: 'client', message, $metadata: metadata()})

/** AWS's limit on AlarmNames in one DescribeAlarms. */
const MAX_NAMES = 100
const STATES = new Set(['OK', 'ALARM', 'INSUFFICIENT_DATA'])

function describeAlarms(model: Model, input: DescribeAlarmsInput): DescribeAlarmsOutput {
  const names = input.AlarmNames ?? []
  if (names.length > MAX_NAMES) {
    throw validation(`1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NAMES}`)
  }
  if (input.AlarmNamePrefix !== undefined && names.length > 0) throw validation('AlarmNames and AlarmNamePrefix cannot be specified together')
  if (input.StateValue !== undefined && !STATES.has(input.StateValue)) throw validation(`Invalid StateValue ${input.StateValue}`)
  evaluateAlarms(model)
  const wanted = new Set(names)
  const metricAlarms = input.AlarmTypes === undefined || input.AlarmTypes.includes('MetricAlarm')
  const chosen = metricAlarms
    ? Object.values(alarms(model))
        .filter((a) => wanted.size === 0 || wanted.has(a.name))
        .filter((a) => input.AlarmNamePrefix === undefined || a.name.startsWith(input.AlarmNamePrefix))
        .filter((a) => input.StateValue === undefined || a.state === input.StateValue)
        .sort((a, b) => a.name.localeCompare(b.name))
    : []
  const {items, nextToken} = page(chosen, input.NextToken, pageSize(input.MaxRecords, 50, 100), () => new InvalidNextToken({message: 'The service cannot process the NextToken', $metadata: metadata()}))
  return {
    MetricAlarms: items.map((a) => ({
      AlarmName: a.name,
      AlarmArn: a.arn,
      StateValue: a.state as StateValue,
      StateReason: a.reason,
      StateUpdatedTimestamp: new Date(a.updatedAt),
      ActionsEnabled: true,
      Namespace: 'Release/Simulated',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    })),
    CompositeAlarms: [],
    NextToken: nextToken,
  }
}

/** As in CloudWatch, the state holds until the alarm's next evaluation that changes it. */
function setAlarmState(model: Model, input: SetAlarmStateInput): object {
  const alarm = input.AlarmName ? alarms(model)[input.AlarmName] : undefined
  if (!alarm) throw new ResourceNotFound({message: `Alarm ${input.AlarmName} does not exist`, $metadata: metadata()})
  if (!input.StateValue || !STATES.has(input.StateValue)) throw validation(`Invalid StateValue ${input.StateValue}`)
  if (!input.StateReason) throw validation('StateReason is required')
  evaluateAlarms(model)
  setState(model, alarm, input.StateValue, input.StateReason, true)
  return {}
}

const COMMANDS: Record<string, CommandHandler> = {
  DescribeAlarms: describeAlarms,
  SetAlarmState: setAlarmState,
}

export const handleCloudWatch = serviceHandler('cloudwatch', COMMANDS)
