/**
 * CloudWatch alarms over @aws-sdk/client-cloudwatch. The SDK package is loaded on first use only,
 * so that commands and releases without alarms never load it.
 */
import type {CloudWatchClient} from '@aws-sdk/client-cloudwatch'
import {ALARM_NAMES_PER_CALL, type AlarmInfo, type AlarmPort} from '../ports/alarms.js'
import type {Clock} from '../ports/clock.js'
import {type AdapterRetryOptions, chunk, retryingClient} from './retrying.js'
import {sdk} from './sdk.js'

/** Makes the client on first use (real AWS, or one the simulated account answers). */
export type CloudWatchClientFactory = () => Promise<CloudWatchClient>

export interface CloudWatchAlarmsOptions {
  client: CloudWatchClientFactory
  clock: Clock
  retry?: AdapterRetryOptions
}

/** A client for real AWS, with the SDK's retries off as for the other clients (see clients.ts). */
export function awsCloudWatchClient(options: {region?: string} = {}): CloudWatchClientFactory {
  return async () => {
    const {CloudWatchClient} = sdk.cloudWatch()
    return new CloudWatchClient({maxAttempts: 1, ...(options.region !== undefined ? {region: options.region} : {})})
  }
}

export class CloudWatchAlarms implements AlarmPort {
  private client: Promise<CloudWatchClient> | undefined

  constructor(private readonly options: CloudWatchAlarmsOptions) {}

  private cloudWatch(): Promise<CloudWatchClient> {
    this.client ??= this.options.client().then((c) => retryingClient(c, this.options.clock, 'cloudwatch', this.options.retry))
    return this.client
  }

  async describeAlarms(names: string[]): Promise<{found: AlarmInfo[]; missing: string[]}> {
    const wanted = [...new Set(names)]
    if (wanted.length === 0) return {found: [], missing: []}
    const client = await this.cloudWatch()
    const {DescribeAlarmsCommand} = sdk.cloudWatch()
    const byName = new Map<string, AlarmInfo>()
    for (const batch of chunk(wanted, ALARM_NAMES_PER_CALL)) {
      let nextToken: string | undefined
      do {
        const answer = await client.send(
          new DescribeAlarmsCommand({AlarmNames: batch, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: ALARM_NAMES_PER_CALL, NextToken: nextToken}),
        )
        for (const alarm of [...(answer.MetricAlarms ?? []), ...(answer.CompositeAlarms ?? [])]) {
          if (!alarm.AlarmName) continue
          byName.set(alarm.AlarmName, {
            name: alarm.AlarmName,
            state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
            reason: alarm.StateReason ?? '',
            since: alarm.StateUpdatedTimestamp ? new Date(alarm.StateUpdatedTimestamp).toISOString() : '',
          })
        }
        nextToken = answer.NextToken
      } while (nextToken)
    }
    return {found: wanted.flatMap((name) => byName.get(name) ?? []), missing: wanted.filter((name) => !byName.has(name))}
  }
}
