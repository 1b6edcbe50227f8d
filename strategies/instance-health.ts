/**
 * One rule, for every step of both strategies, for when an Auto Scaling instance serves and when it
 * shows a bad version: InService and Healthy serves; InService and not Healthy is unhealthy. An
 * instance still launching, in Standby or leaving is neither.
 */
import type {InstanceInfo} from '../src/ports/fleet.js'
import type {TargetGroupInfo} from '../src/ports/targets.js'

type Instance = Pick<InstanceInfo, 'lifecycle' | 'health'>

export const isServing = (i: Instance): boolean => i.lifecycle === 'InService' && i.health === 'Healthy'
export const isUnhealthy = (i: Instance): boolean => i.lifecycle === 'InService' && i.health !== 'Healthy'

/** The unhealthy instances of a group, in its order. */
export function unhealthyInstances<T extends Instance>(instances: readonly T[]): T[] {
  return instances.filter(isUnhealthy)
}

/**
 * How long a load balancer takes to pass a target back once it is registered again: HealthyThresholdCount
 * checks, one per HealthCheckIntervalSeconds, in the slowest of these target groups; 0 for none.
 */
export function passingMs(groups: readonly Pick<TargetGroupInfo, 'healthyThreshold' | 'intervalSeconds'>[]): number {
  return Math.max(0, ...groups.map((g) => g.healthyThreshold * g.intervalSeconds * 1000))
}
