/**
 * One rule, for every step of both strategies, for when an Auto Scaling instance serves and when it
 * shows a bad version: InService and Healthy serves; InService and not Healthy is unhealthy. An
 * instance still launching, in Standby or leaving is neither.
 */
import type {InstanceInfo} from '../src/ports/fleet.js'

type Instance = Pick<InstanceInfo, 'lifecycle' | 'health'>

export const isServing = (i: Instance): boolean => i.lifecycle === 'InService' && i.health === 'Healthy'
export const isUnhealthy = (i: Instance): boolean => i.lifecycle === 'InService' && i.health !== 'Healthy'

/** The unhealthy instances of a group, in its order. */
export function unhealthyInstances<T extends Instance>(instances: readonly T[]): T[] {
  return instances.filter(isUnhealthy)
}
