/** Auto Scaling groups and their traffic sources, as the strategies need them. Adapter: src/aws/fleet.ts. */

export type LifecycleState =
  | 'Pending'
  | 'InService'
  | 'Terminating'
  | 'Terminated'
  | 'EnteringStandby'
  | 'Standby'
  | 'Detaching'
  | 'Detached'
  // Others the API may add; `string & {}` keeps the names above offered by the editor.
  | (string & {})

export interface InstanceInfo {
  id: string
  lifecycle: LifecycleState
  health: 'Healthy' | 'Unhealthy' | (string & {})
}

/** A traffic source (e.g. an ELB target group ARN) and its state on one group. */
export interface TrafficSourceState {
  identifier: string
  type?: string
  /** Adding | Added | InService | Removing | Removed (Auto Scaling's words). */
  state: string
}

export interface GroupInfo {
  name: string
  min: number
  max: number
  desired: number
  instances: InstanceInfo[]
}

/** A group attached to some of the traffic sources asked about, whoever created it. */
export interface AttachedGroup {
  name: string
  /** The group's tags (CloudFormation propagates a stack's tags to the groups it creates). */
  tags: Record<string, string>
  desired: number
  /** The asked-about sources the group is attached to or joining (Adding, Added, InService). */
  sources: string[]
}

export interface FleetPort {
  /** undefined when no such group exists. */
  describeGroup(name: string): Promise<GroupInfo | undefined>
  /** Every Auto Scaling group of the account and region, by name (`release init` offers them). */
  listGroups(): Promise<GroupInfo[]>
  setCapacity(name: string, capacity: {min: number; max: number; desired: number}): Promise<void>
  /** Idempotent: sources already attached are left as they are. */
  attachTrafficSources(group: string, identifiers: string[]): Promise<void>
  /** Idempotent: sources not attached are ignored. */
  detachTrafficSources(group: string, identifiers: string[]): Promise<void>
  describeTrafficSources(group: string): Promise<TrafficSourceState[]>
  /**
   * Every group of the account attached to any of these traffic sources, known to the ledger or not:
   * what takes traffic is read from the account, never assumed.
   */
  groupsAttachedTo(sources: string[]): Promise<AttachedGroup[]>
  /**
   * Takes instances out of service for an in-place change (EnterStandby, in calls of at most 20,
   * decrementing desired capacity so the group launches no replacements). Instances already in
   * Standby or EnteringStandby are skipped, so a re-run is harmless. `known` is the group as the
   * caller has just read it, to spare a second read.
   */
  enterStandby(group: string, instanceIds: string[], known?: GroupInfo): Promise<void>
  /** Returns instances to service (ExitStandby, at most 20 a call); instances not in Standby are skipped. */
  exitStandby(group: string, instanceIds: string[], known?: GroupInfo): Promise<void>
}
