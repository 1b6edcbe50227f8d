import type {AutoScalingGroup, AutoScalingClient} from '@aws-sdk/client-auto-scaling'
import type {Clock} from '../ports/clock.js'
import type {AttachedGroup, FleetPort, GroupInfo, InstanceInfo, TrafficSourceState} from '../ports/fleet.js'
import {type AdapterRetryOptions, chunk, errorName, retryingClient} from './retrying.js'
import {sdk} from './sdk.js'

const {
  AttachTrafficSourcesCommand,
  DetachTrafficSourcesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  paginateDescribeAutoScalingGroups,
  paginateDescribeTrafficSources,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} = sdk.autoScaling()

export interface AutoScalingFleetOptions {
  client: AutoScalingClient
  clock: Clock
  /** Backoff and adaptive pacing of the Auto Scaling calls (one budget for this adapter by default). */
  retry?: AdapterRetryOptions
}

/** The only kind of traffic source we attach: ELB target groups (ALB, NLB, GWLB). */
const TRAFFIC_SOURCE_TYPE = 'elbv2'

/** AttachTrafficSources and DetachTrafficSources take at most 10 sources per call. */
const TRAFFIC_SOURCES_PER_CALL = 10

/** EnterStandby and ExitStandby take at most 20 instances per call. */
const INSTANCES_PER_STANDBY_CALL = 20

/** Lifecycle states of an instance that is out of service, or on its way there, by our request. */
const IN_STANDBY = new Set(['EnteringStandby', 'Standby'])

/** Lifecycle states of an instance the group is terminating. */
const LEAVING = new Set(['Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated'])

/** States in which a source is attached or on its way there: attaching again would change nothing. */
const ATTACHED = new Set(['Adding', 'Added', 'InService'])
/** States in which a source is gone or on its way out. */
const DETACHED = new Set(['Removing', 'Removed'])

export class AutoScalingFleet implements FleetPort {
  private readonly autoScaling: AutoScalingClient

  constructor(options: AutoScalingFleetOptions) {
    this.autoScaling = retryingClient(options.client, options.clock, 'autoscaling', options.retry)
  }

  async describeGroup(name: string): Promise<GroupInfo | undefined> {
    const pages = paginateDescribeAutoScalingGroups({client: this.autoScaling}, {AutoScalingGroupNames: [name]})
    for await (const page of pages) {
      const group = page.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === name)
      if (group === undefined) continue
      return toGroupInfo(group)
    }
    return undefined
  }

  async listGroups(): Promise<GroupInfo[]> {
    const groups: GroupInfo[] = []
    for await (const page of paginateDescribeAutoScalingGroups({client: this.autoScaling}, {})) {
      for (const group of page.AutoScalingGroups ?? []) groups.push(toGroupInfo(group))
    }
    return groups
  }

  async setCapacity(name: string, capacity: {min: number; max: number; desired: number}): Promise<void> {
    await this.autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        MinSize: capacity.min,
        MaxSize: capacity.max,
        DesiredCapacity: capacity.desired,
      }),
    )
  }

  async replaceInstance(instanceId: string): Promise<void> {
    try {
      await this.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({InstanceId: instanceId, ShouldDecrementDesiredCapacity: false}))
    } catch (error) {
      // Already gone (terminated by an earlier attempt, or by the group): what was asked is done.
      if (errorName(error) === 'ValidationError' && /not found|No managed instance/i.test((error as Error).message)) return
      throw error
    }
  }

  async attachTrafficSources(group: string, identifiers: string[]): Promise<void> {
    const current = await this.describeTrafficSources(group)
    const attached = new Set(current.filter((s) => ATTACHED.has(s.state)).map((s) => s.identifier))
    const missing = [...new Set(identifiers)].filter((id) => !attached.has(id))
    for (const batch of chunk(missing, TRAFFIC_SOURCES_PER_CALL)) {
      await this.autoScaling.send(
        new AttachTrafficSourcesCommand({
          AutoScalingGroupName: group,
          TrafficSources: batch.map((Identifier) => ({Identifier, Type: TRAFFIC_SOURCE_TYPE})),
        }),
      )
    }
  }

  async detachTrafficSources(group: string, identifiers: string[]): Promise<void> {
    const current = await this.describeTrafficSources(group)
    const present = new Set(current.filter((s) => !DETACHED.has(s.state)).map((s) => s.identifier))
    const toDetach = [...new Set(identifiers)].filter((id) => present.has(id))
    for (const batch of chunk(toDetach, TRAFFIC_SOURCES_PER_CALL)) {
      await this.autoScaling.send(
        new DetachTrafficSourcesCommand({
          AutoScalingGroupName: group,
          TrafficSources: batch.map((Identifier) => ({Identifier, Type: TRAFFIC_SOURCE_TYPE})),
        }),
      )
    }
  }

  async describeTrafficSources(group: string): Promise<TrafficSourceState[]> {
    const sources: TrafficSourceState[] = []
    const pages = paginateDescribeTrafficSources({client: this.autoScaling}, {AutoScalingGroupName: group})
    for await (const page of pages) {
      for (const s of page.TrafficSources ?? []) {
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- older answers (and the simulated account's) name the source only here
        const identifier = s.Identifier ?? s.TrafficSource
        if (identifier === undefined) continue
        sources.push({identifier, type: s.Type, state: s.State ?? 'Unknown'})
      }
    }
    return sources
  }

  async groupsAttachedTo(sources: string[]): Promise<AttachedGroup[]> {
    const wanted = new Set(sources)
    const candidates: {name: string; tags: Record<string, string>; desired: number}[] = []
    // No group names: DescribeAutoScalingGroups lists every group of the account, page by page.
    for await (const page of paginateDescribeAutoScalingGroups({client: this.autoScaling}, {})) {
      for (const group of page.AutoScalingGroups ?? []) {
        const listed = [...(group.TrafficSources ?? []).map((s) => s.Identifier), ...(group.TargetGroupARNs ?? [])]
        if (!group.AutoScalingGroupName || !listed.some((id) => id !== undefined && wanted.has(id))) continue
        const tags = Object.fromEntries((group.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))
        candidates.push({name: group.AutoScalingGroupName, tags, desired: group.DesiredCapacity ?? 0})
      }
    }
    const attached: AttachedGroup[] = []
    for (const candidate of candidates) {
      // The group's listing does not say whether a source is still leaving: its traffic-source states do.
      const states = await this.describeTrafficSources(candidate.name)
      const serving = states.filter((s) => wanted.has(s.identifier) && ATTACHED.has(s.state)).map((s) => s.identifier)
      if (serving.length > 0) attached.push({...candidate, sources: serving})
    }
    return attached
  }

  async enterStandby(group: string, instanceIds: string[], known?: GroupInfo): Promise<void> {
    const ids = [...new Set(instanceIds)]
    if (ids.length === 0) return
    const states = known ? byId(known) : await this.memberStates(group)
    const strangers = ids.filter((id) => !states.has(id))
    // Refused before any call, so that a wrong list does not leave half of the instances in Standby.
    if (strangers.length > 0) throw new Error(`Instances ${strangers.join(', ')} are not in Auto Scaling group ${group}`)
    // An instance the group is terminating (replaced after failing its ELB health check) is leaving:
    // there is nothing to take out of service, and EnterStandby would refuse it.
    const toEnter = ids.filter((id) => !IN_STANDBY.has(states.get(id)?.lifecycle ?? '') && !LEAVING.has(states.get(id)?.lifecycle ?? ''))
    for (const batch of chunk(toEnter, INSTANCES_PER_STANDBY_CALL)) {
      await this.standbyCall(
        group,
        batch,
        (ids) =>
          this.autoScaling.send(
            new EnterStandbyCommand({AutoScalingGroupName: group, InstanceIds: ids, ShouldDecrementDesiredCapacity: true}),
          ),
        (lifecycle) => lifecycle === 'InService',
      )
    }
  }

  async exitStandby(group: string, instanceIds: string[], known?: GroupInfo): Promise<void> {
    const ids = [...new Set(instanceIds)]
    if (ids.length === 0) return
    const states = known ? byId(known) : await this.memberStates(group)
    const toExit = ids.filter((id) => states.get(id)?.lifecycle === 'Standby')
    for (const batch of chunk(toExit, INSTANCES_PER_STANDBY_CALL)) {
      await this.standbyCall(
        group,
        batch,
        (ids) => this.autoScaling.send(new ExitStandbyCommand({AutoScalingGroupName: group, InstanceIds: ids})),
        (lifecycle) => lifecycle === 'Standby',
      )
    }
  }

  /** The group's instances by id; the group must exist. */
  private async memberStates(group: string): Promise<Map<string, InstanceInfo>> {
    const info = await this.describeGroup(group)
    if (info === undefined) throw new Error(`Auto Scaling group ${group} does not exist`)
    return byId(info)
  }

  /**
   * One EnterStandby/ExitStandby call, for instances the caller read where the call applies (`applies`:
   * InService to enter, Standby to exit). Neither call is idempotent, and either refuses the whole batch
   * (a ValidationError) when one instance is no longer there: its answer was lost and a retry finds the
   * instances moved already, or one of them left since the group was read (the group terminated it,
   * a person moved it). The group is then read again: the call goes once more for those it still
   * applies to, and the others are left where they are, for the caller's next read of the group to
   * find. A refusal that no instance explains (the group's sizes) stands.
   */
  private async standbyCall(
    group: string,
    batch: string[],
    call: (ids: string[]) => Promise<unknown>,
    applies: (lifecycle: string) => boolean,
  ): Promise<void> {
    try {
      await call(batch)
    } catch (error) {
      if (errorName(error) !== 'ValidationError') throw error
      const states = await this.memberStates(group)
      const still = batch.filter((id) => applies(states.get(id)?.lifecycle ?? ''))
      if (still.length === batch.length) throw error
      if (still.length > 0) await call(still)
    }
  }
}

function byId(group: GroupInfo): Map<string, InstanceInfo> {
  return new Map(group.instances.map((i) => [i.id, i]))
}

function toGroupInfo(group: AutoScalingGroup): GroupInfo {
  return {
    name: group.AutoScalingGroupName ?? '',
    min: group.MinSize ?? 0,
    max: group.MaxSize ?? 0,
    desired: group.DesiredCapacity ?? 0,
    instances: (group.Instances ?? []).map((i) => ({
      id: i.InstanceId ?? '',
      lifecycle: i.LifecycleState ?? 'Pending',
      health: i.HealthStatus ?? 'Unknown',
    })),
  }
}
