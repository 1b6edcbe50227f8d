import type {Clock} from '../ports/clock.js'

/** Faults are configuration of the simulated account, persisted with it. Patterns use '*' as wildcard. */
export interface SimFaults {
  /** Instance versions that boot and then fail health checks; SSM commands on them fail. */
  unhealthyVersions?: string[]
  /** Healthy at first, Unhealthy `afterSeconds` after InService (a failure during bake). */
  degradeVersions?: {pattern: string; afterSeconds: number}[]
  /** Values of a stack's `Version` parameter whose AutoScalingGroup resource fails to create. */
  failStackCreation?: string[]
  /** Values of a stack's `Version` parameter whose DeleteStack ends in DELETE_FAILED. */
  failStackDeletion?: string[]
  /** Versions of a group's instances for which AttachTrafficSources fails with a ValidationError. */
  failTrafficAttach?: string[]
  /** Probability per call in [0,1], within an optional virtual-time window [from, until) in ms since the epoch. */
  throttle?: {rate: number; from?: number; until?: number; services?: SimService[]}
  /**
   * Probability per call of a transport failure: half the time before the service sees the call,
   * half after it carried it out (the answer is lost). Only `services` when given.
   */
  network?: {rate: number; services?: SimService[]}
  /** Probability that one instance's invocation of one SSM command fails. */
  commandFailureRate?: number
  /** Versions whose instances never register with SSM (no instance profile, no route to SSM). */
  unregisteredVersions?: string[]
  /** Fraction of instances (fixed per instance) whose SSM invocations end Undeliverable. */
  undeliverableInstances?: number
  /**
   * The caller's IAM policy (src/sim/iam.ts): only the actions these patterns name (`ssm:SendCommand`,
   * `autoscaling:Describe*`) are allowed, every other call is refused with AccessDenied before the
   * service sees it. Absent: every action is allowed.
   */
  allowActions?: string[]

  // ---- CloudWatch alarms (src/sim/alarms.ts) ----
  /** Versions that set the alarms watching them to ALARM `alarmAfterSeconds` after they take traffic. */
  alarmingVersions?: string[]
  /** How long a matching version takes traffic before its alarms fire; default 60. */
  alarmAfterSeconds?: number
}

export type SimService = 'cloudformation' | 'autoscaling' | 'ssm' | 'elbv2' | 'cloudwatch' | 'sns' | 'eventbridge'

/**
 * A CloudWatch metric alarm that exists in the account (alarms are set up outside releases). Its
 * metric is the health of what serves these traffic sources, or runs in these groups.
 */
export interface SimAlarm {
  trafficSources?: string[]
  groups?: string[]
}

/**
 * An Elastic Load Balancing target group that exists in the account (the load balancer is set up
 * outside releases). Defaults are AWS's for an HTTP target group of an Application Load Balancer.
 */
export interface SimTargetGroup {
  /** HealthCheckIntervalSeconds, default 30. */
  intervalSeconds?: number
  /** HealthyThresholdCount, default 5. */
  healthyThreshold?: number
  /** UnhealthyThresholdCount, default 2. */
  unhealthyThreshold?: number
  /** deregistration_delay.timeout_seconds, default 300 (AWS allows 0 to 3600). */
  deregistrationDelaySeconds?: number
}

/** [min, max] virtual milliseconds; each delay is drawn uniformly from the account's seeded PRNG. */
export type DelayRange = [number, number]

/** A log-normal delay given by its median and 95th percentile (virtual milliseconds). */
export interface LatencyDistribution {
  medianMs: number
  p95Ms: number
}

export interface SimTimings {
  stackResourceMs: DelayRange
  instanceBootMs: DelayRange
  trafficAttachMs: DelayRange
  /** Run time of an SSM invocation when `commandLatency` is not in effect (see commandLatency). */
  commandMs: DelayRange
  terminateMs: DelayRange
  /** EnteringStandby -> Standby, and Pending -> InService after ExitStandby. */
  standbyMs: DelayRange
  /** Boot -> the SSM agent registered (DescribeInstanceInformation lists it, SendCommand accepts it). */
  agentRegistrationMs: DelayRange
  /** SendCommand -> the invocation exists (ListCommandInvocations lists it, GetCommandInvocation finds it). */
  invocationVisibleMs: DelayRange
  /** An invocation's end -> SSM knows it (the agent reports it): ListCommands counts it, listings show it. */
  agentReportMs: DelayRange
  /**
   * After SSM counts an end, ListCommandInvocations and GetCommandInvocation may show it later still
   * (0 by default): for tests of a reader that lists the invocations of a command whose counts moved.
   */
  listingLagMs: DelayRange
  /**
   * Run time of an SSM invocation (InProgress -> its end), log-normal: the default. Given `commandMs`
   * without `commandLatency`, the uniform range is used instead.
   */
  commandLatency?: LatencyDistribution
}

/**
 * An Auto Scaling group that exists outside any stack (a database fleet, say): created when the
 * account is opened without it, never re-created or resized while it exists.
 */
export interface SimFleet {
  instances: number
  /** The version every instance runs at the start. */
  version: string
  /** Traffic sources (ELB target group ARNs) the group is attached to from the start. */
  trafficSources?: string[]
  /** The group's MinSize, default 0 (a fleet with min = instances cannot go to Standby decrementing). */
  min?: number
  /** The group's MaxSize, default `instances`. */
  max?: number
  /**
   * The Parameter Store parameter the fleet's launch configuration (its user data) reads the version
   * from at boot; default /release/<Role>/version. src/app/sim-fleet-parameters.ts names the one
   * releases of the target that changes the fleet publish.
   */
  versionParameter?: string
}

/** A custom SSM Command document: its parameter names (all optional). */
export interface SimDocument {
  parameters: string[]
}

export interface SimOptions {
  clock: Clock
  /** When given, replaces the faults persisted with the account. */
  faults?: SimFaults
  /** Seed of a new account's PRNG; an existing account keeps its own PRNG state. */
  seed?: number
  /** Of a new account; an existing account keeps the region and account id it was created with. */
  region?: string
  accountId?: string
  /** Persist to dir/account.json; absent: in memory only. */
  dir?: string
  /** Per process, not persisted. */
  timings?: Partial<SimTimings>
  /** Auto Scaling groups seeded on open when absent, by group name (see SimFleet). */
  fleets?: Record<string, SimFleet>
  /** Target groups the account has, by ARN, created on open when absent (see SimTargetGroup). */
  targetGroups?: Record<string, SimTargetGroup>
  /** Custom SSM documents, by name, next to AWS-RunShellScript and AWS-RunPowerShellScript. Per process. */
  documents?: Record<string, SimDocument>
  /** CloudWatch alarms the account has, by name, created on open when absent (see SimAlarm). */
  alarms?: Record<string, SimAlarm>
  /** SNS topics and EventBridge buses (ARNs) the account has, created on open when absent. */
  topics?: string[]
  buses?: string[]
}

export interface AccountView {
  now: string
  stacks: {
    name: string
    id: string
    status: string
    statusReason?: string
    version?: string
    createdAt: string
    tags: Record<string, string>
  }[]
  groups: {
    name: string
    stackName?: string
    desired: number
    min: number
    max: number
    /** `ssmAgent`: Online once its SSM agent registered (Run Command reaches it), else NotRegistered. */
    instances: {id: string; version?: string; lifecycle: string; health: string; ssmAgent: 'Online' | 'NotRegistered'}[]
    trafficSources: {identifier: string; state: string}[]
  }[]
  trafficSources: {
    identifier: string
    /** `servingInstances`: the group's InService and Healthy instances (Standby ones do not serve). */
    groups: {name: string; state: string; versions: string[]; servingInstances: number}[]
  }[]
  /** Parameter Store, by name. */
  parameters: {name: string; value: string; version: number}[]
  /** CloudWatch alarms, by name, as evaluated now. */
  alarms: {name: string; state: string; reason: string; since: string}[]
  /** SNS topics and EventBridge buses with what they received, oldest first. */
  topics: {arn: string; received: {at: string; subject?: string; body: string}[]}[]
  buses: {arn: string; received: {at: string; source?: string; detailType?: string; body: string}[]}[]
}

/** One instance as `SimAccount.observe` listeners see it. */
export interface InstanceSummary {
  readonly id: string
  readonly group: string
  readonly version: string | undefined
  readonly lifecycle: string
  readonly health: string
  /** An SSM command that changes the version (set-version, or a custom document's version) is Pending or InProgress on it. */
  readonly changing: boolean
}

/**
 * What observers get after every API call. The objects are the account's live summaries: read them
 * during the call; copy what you keep.
 */
export interface FleetSummary {
  /** Instances in EnteringStandby or Standby, Pending after ExitStandby, or changing. */
  outOfService: number
  instances: readonly InstanceSummary[]
}

export interface SimMetrics {
  /** API calls handled, by `service:Command` (e.g. `ssm:SendCommand`), throttled ones included. */
  calls: Record<string, number>
  /** Calls answered with a throttling error. */
  throttled: number
  /** Calls refused for lack of permission (faults.allowActions). */
  denied: number
  /**
   * Calls failed by the `network` fault: before the service saw them, and after it carried them out
   * (those also by `service:Command`, the calls whose effect happened but whose answer was lost).
   */
  networkFailures: {before: number; after: number; lostAnswers: Record<string, number>}
}

// ---- persisted state (plain JSON; times are ms since the epoch on the virtual clock) ----

export interface AccountState {
  format: 1
  region: string
  accountId: string
  /** Virtual time the account has been advanced to. */
  now: number
  /** Monotonic counter for scheduling order and event order. */
  seq: number
  /** PRNG state. */
  rng: number
  /**
   * The seed of keyed draws (Model.draw): a draw for a stable key (an instance's nth invocation, the
   * nth call of a kind) is the same whatever else happened in between, so that the same seed gives the
   * same run however the release's polls interleave. Absent in accounts saved before it: taken from rng.
   */
  drawSeed?: number
  /** How many keyed draws each key family made so far (the n of "the nth"). */
  drawCounts?: Record<string, number>
  faults: SimFaults
  /** Every stack ever created, deleted ones included (DescribeStacks by id shows them). */
  stacks: StackRecord[]
  launchTemplates: Record<string, LaunchTemplateRecord>
  groups: Record<string, GroupRecord>
  instances: Record<string, InstanceRecord>
  /** In request order (and so by requestedAt). */
  commands: CommandRecord[]
  /** Parameter Store, by name (absent in accounts saved before it existed). */
  parameters: Record<string, ParameterRecord>
  /** Elastic Load Balancing target groups, by ARN (absent in accounts saved before they existed). */
  targetGroups?: Record<string, TargetGroupRecord>
  /** CloudWatch alarms, by name (absent in accounts saved before they existed). */
  alarms?: Record<string, AlarmRecord>
  /** SNS topics and EventBridge buses by ARN, with what they received (absent in older accounts). */
  topics?: Record<string, ReceivedRecord[]>
  buses?: Record<string, ReceivedRecord[]>
  /** State Manager associations, by id (absent in accounts saved before they existed). */
  associations?: Record<string, AssociationRecord>
  /** Scheduled transitions, sorted by (at, seq). */
  tasks: Task[]
}

export interface AssociationRecord {
  id: string
  name?: string
  documentName: string
  parameters: Record<string, string[]>
  /** As CreateAssociation checked them: every target has its key and at least one value. */
  targets: {Key: string; Values: string[]}[]
  schedule: string
  /** AssociationVersion: 1 at creation, one more at each update. */
  version: number
  createdAt: number
  updatedAt: number
  /** The newest runs, oldest first: per instance, Pending then Success or Failed. */
  executions: {id: string; version: number; createdAt: number; targets: Record<string, {status: string; detail: string; at: number}>}[]
}

export interface AlarmRecord extends SimAlarm {
  name: string
  arn: string
  /** OK | ALARM | INSUFFICIENT_DATA */
  state: string
  reason: string
  /** When it entered `state`. */
  updatedAt: number
  /** Since when a version of alarmingVersions has been seen taking traffic (the metric breaching). */
  breachingSince?: number
  /** Set by SetAlarmState: kept until the next evaluation that changes the state, as CloudWatch does. */
  setByHand?: boolean
}

/** One message an SNS topic or event an EventBridge bus received. */
export interface ReceivedRecord {
  at: number
  id: string
  /** The message (SNS) or the event's Detail (EventBridge), as sent. */
  body: string
  subject?: string
  detailType?: string
  source?: string
}

export interface TargetGroupRecord {
  arn: string
  name: string
  intervalSeconds: number
  healthyThreshold: number
  unhealthyThreshold: number
  deregistrationDelaySeconds: number
  /** Registered instances, by instance id. */
  targets: Record<string, TargetRecord>
}

export interface TargetRecord {
  id: string
  /** The Auto Scaling group that registered it. */
  group: string
  /** ELBv2 TargetHealthStateEnum: initial | healthy | unhealthy | draining */
  state: string
  reason?: string
  /** A health check outcome is scheduled (target.checked). */
  checking: boolean
  /** Bumped on every scheduled transition, so a stale one is ignored. */
  generation: number
}

export interface StackRecord {
  id: string
  name: string
  status: string
  statusReason?: string
  createdAt: number
  updatedAt?: number
  deletedAt?: number
  description?: string
  templateBody: string
  parameters: Record<string, string>
  noEcho: string[]
  tags: {Key: string; Value: string}[]
  createToken?: string
  /** Token of the operation now running (or last run); stamped on the events it causes. */
  operationToken?: string
  /** Tokens of every operation on this stack, for TokenAlreadyExistsException. */
  tokens: {token: string; operation: 'create' | 'delete'}[]
  /** Logical ids in creation order. */
  order: string[]
  resources: Record<string, ResourceRecord>
  events: StackEventRecord[]
  outputs?: {OutputKey: string; OutputValue: string; Description?: string}[]
  /** Properties changed outside CloudFormation (`release sim drift stack`), by logical id. */
  drifts?: Record<string, {property: string; expected: string; actual: string}[]>
  /** The last DetectStackDrift run on this stack. */
  driftDetection?: {id: string; status: 'IN_SYNC' | 'DRIFTED'; at: number}
}

export interface ResourceRecord {
  logicalId: string
  type: string
  physicalId?: string
  status: string
  statusReason?: string
  updatedAt: number
}

export interface StackEventRecord {
  seq: number
  id: string
  at: number
  logicalId: string
  physicalId?: string
  type: string
  status: string
  reason?: string
  token?: string
}

export interface LaunchTemplateRecord {
  id: string
  name: string
  stackId?: string
  data: Record<string, unknown>
}

export interface GroupTag {
  Key: string
  Value: string
  PropagateAtLaunch: boolean
}

export interface TrafficSourceRecord {
  identifier: string
  type: string
  /** Adding | Added | InService | Removing | Removed */
  state: string
}

export interface GroupRecord {
  name: string
  arn: string
  stackId?: string
  createdAt: number
  min: number
  max: number
  desired: number
  launchTemplate?: {id: string; name: string; version: string}
  tags: GroupTag[]
  healthCheckType: string
  healthCheckGracePeriod: number
  zones: string[]
  /** In launch order, oldest first. */
  instanceIds: string[]
  trafficSources: TrafficSourceRecord[]
  /** Version from the owning stack's `Version` parameter, for instances without a Version tag. */
  stackVersion?: string
  /**
   * A seeded fleet's: new instances boot the version published in this Parameter Store parameter
   * when it exists (as a user-data script reading it would), else stackVersion.
   */
  versionParameter?: string
  deleting?: boolean
}

export interface InstanceRecord {
  id: string
  group: string
  version?: string
  lifecycle: string
  health: string
  zone: string
  launchedAt: number
  /** Booted at least once. */
  booted: boolean
  /** Its SSM agent has registered (a while after boot; never without an instance profile). Absent in older accounts: booted. */
  agentRegistered?: boolean
  launchTemplate?: {id: string; name: string; version: string}
  /** Drawn once at launch; the instance is undeliverable while this is below faults.undeliverableInstances. */
  deliveryRoll: number
}

export interface CommandRecord {
  id: string
  documentName: string
  comment?: string
  parameters: Record<string, string[]>
  instanceIds: string[]
  requestedAt: number
  timeoutSeconds: number
  invocations: InvocationRecord[]
  /** shell: AWS-RunShellScript (absent in older accounts); powershell: AWS-RunPowerShellScript; custom: a SimDocument. */
  kind?: 'shell' | 'powershell' | 'custom'
  /** It changes the instances' version: a `release-sim set-version` line, or a custom document's version. */
  setsVersion?: boolean
  /** A custom document's version to set (see documents.ts). */
  version?: string
}

export interface ParameterRecord {
  name: string
  type: string
  /** The latest version number. */
  version: number
  /** The last 100 versions, oldest first (Parameter Store keeps 100). */
  history: {version: number; value: string; modifiedAt: number; description?: string}[]
}

export interface InvocationRecord {
  instanceId: string
  /** SSM's CommandInvocationStatus: Pending | InProgress | Success | Failed | ... */
  status: string
  /** SSM's StatusDetails: Pending | InProgress | Success | Failed | Undeliverable | ... */
  details: string
  /** GetCommandInvocation answers InvocationDoesNotExist before this time, as real SSM does right after SendCommand. */
  visibleAt: number
  /** SSM knows the end from this time on (the agent reported it): ListCommands counts it. */
  reportedAt?: number
  /** Listings show the end (status, output) from this time on. */
  listedAt?: number
  startedAt?: number
  endedAt?: number
  output: string
  error: string
  responseCode: number
}

export type TaskBody =
  | {kind: 'resource.created'; stackId: string; logicalId: string; failure?: string}
  | {kind: 'resource.deleted'; stackId: string; logicalId: string; failure?: string}
  | {kind: 'instance.booted'; instanceId: string}
  | {kind: 'instance.registered'; instanceId: string}
  | {kind: 'instance.degraded'; instanceId: string; version?: string}
  | {kind: 'instance.terminated'; instanceId: string}
  | {kind: 'instance.removed'; instanceId: string}
  | {kind: 'instance.standby'; instanceId: string}
  | {kind: 'instance.inService'; instanceId: string}
  | {kind: 'traffic.added'; group: string; identifier: string}
  | {kind: 'traffic.removed'; group: string; identifier: string}
  | {kind: 'traffic.gone'; group: string; identifier: string}
  | {kind: 'target.checked'; targetGroup: string; instanceId: string; generation: number}
  | {kind: 'target.drained'; targetGroup: string; instanceId: string; generation: number}
  | {kind: 'invocation.started'; commandId: string; instanceId: string}
  | {kind: 'invocation.ended'; commandId: string; instanceId: string}
  | {kind: 'invocation.cancelled'; commandId: string; instanceId: string}
  | {kind: 'association.run'; associationId: string; version: number}
  | {kind: 'association.applied'; associationId: string; executionId: string; instanceId: string}

export type Task = TaskBody & {at: number; seq: number}
