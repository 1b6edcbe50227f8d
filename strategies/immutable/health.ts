/**
 * What would notice a bad application version of an immutable target, said plainly for `plan` and
 * `rollout`. EC2 status checks pass for a broken application; what sees it is a smoke check
 * (verify commands), the load balancer's health check of a target group (which `release` watches
 * during the shift, and which makes the group replace failing instances when its HealthCheckType is
 * ELB). Alarms are not watched yet.
 */
export interface HealthSignals {
  signals: string[]
  /** Set when nothing on the list would catch a version that boots but does not serve. */
  warning?: string
}

export function immutableHealthSignals(target: {
  /** The HealthCheckType of the new group (AWS's default: EC2). */
  healthCheckType?: string
  trafficSources: string[]
  verify?: {commands: string[]}
}): HealthSignals {
  const signals: string[] = []
  const targetGroups = target.trafficSources.filter((id) => id.includes(':targetgroup/'))
  const healthCheckType = target.healthCheckType ?? 'EC2'
  if (target.verify && target.verify.commands.length > 0) {
    signals.push(`verify: ${target.verify.commands.length} commands on every new instance before traffic moves`)
  }
  if (targetGroups.length > 0) {
    const replaces =
      healthCheckType === 'ELB'
        ? 'the group replaces failing instances (HealthCheckType ELB)'
        : `the group does not replace failing instances (HealthCheckType ${healthCheckType})`
    signals.push(`ELB: target health in ${targetGroups.length} target groups, watched while both groups serve; ${replaces}`)
  }
  signals.push('EC2: status checks only see an instance that fails, not an application that does not serve')
  if (signals.length === 1) {
    return {
      signals,
      warning: 'nothing would catch a bad application version before traffic moves: add verify commands, or a target group with a health check',
    }
  }
  return {signals}
}
