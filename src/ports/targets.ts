/** Elastic Load Balancing target groups and the health of their targets. Adapter: src/aws/targets.ts. */

export interface TargetGroupInfo {
  arn: string
  /** How long a deregistered target keeps draining before it is gone (deregistration_delay.timeout_seconds). */
  deregistrationDelaySeconds: number
  intervalSeconds: number
  healthyThreshold: number
  unhealthyThreshold: number
}

/** One instance's health in one target group, in ELB's words (initial | healthy | unhealthy | draining | unused). */
export interface TargetHealthInfo {
  instanceId: string
  state: string
  reason?: string
}

export interface TargetGroupPort {
  /** The target groups that exist, and the ARNs the account does not know. */
  describeTargetGroups(arns: string[]): Promise<{found: TargetGroupInfo[]; missing: string[]}>
  /** The health of these instances in one target group (one call for all of them). */
  describeTargetHealth(targetGroup: string, instanceIds: string[]): Promise<TargetHealthInfo[]>
}
