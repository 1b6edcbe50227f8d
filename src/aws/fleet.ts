import {
  AttachTrafficSourcesCommand,
  type AutoScalingClient,
  DetachTrafficSourcesCommand,
  paginateDescribeAutoScalingGroups,
  paginateDescribeTrafficSources,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling'
import type {Clock} from '../ports/clock.js'
import type {FleetPort, GroupInfo, TrafficSourceState} from '../ports/fleet.js'
import {type AdapterRetryOptions, chunk, retryingClient} from './retrying.js'

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
      return {
        name,
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
    return undefined
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
        const identifier = s.Identifier ?? s.TrafficSource
        if (identifier === undefined) continue
        sources.push({identifier, type: s.Type, state: s.State ?? 'Unknown'})
      }
    }
    return sources
  }
}
