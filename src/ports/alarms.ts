/** CloudWatch alarms a target's release watches as health. Adapter: src/aws/alarms.ts. */

export interface AlarmInfo {
  name: string
  /** CloudWatch's StateValue: OK, ALARM or INSUFFICIENT_DATA. */
  state: string
  /** StateReason, as CloudWatch words it. */
  reason: string
  /** When it entered this state (StateUpdatedTimestamp), ISO. */
  since: string
}

export interface AlarmPort {
  /** The alarms that exist, and the names the account does not know (read in batches, not one a call). */
  describeAlarms(names: string[]): Promise<{found: AlarmInfo[]; missing: string[]}>
}

/** DescribeAlarms takes at most this many AlarmNames a call. */
export const ALARM_NAMES_PER_CALL = 100
