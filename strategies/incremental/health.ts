/**
 * What would notice a bad application version of an incremental target, said plainly for `plan` and
 * the planning step. EC2 status checks pass for a broken application; what sees it is the change's
 * verify lines, and the load balancer's health check of the group's target groups (an instance back
 * from Standby must pass it again before it counts as done; the bake watches it too).
 */
import type {HealthSignals} from '../immutable/health.js'
import {SHELL_DOCUMENTS} from './change.js'

export function incrementalHealthSignals(target: {document: string; verify: string[]; targetGroups: string[]}): HealthSignals {
  const signals: string[] = []
  if (!SHELL_DOCUMENTS.has(target.document)) signals.push(`change: the document ${target.document}, whatever it checks on each instance`)
  else if (target.verify.length > 0) signals.push(`verify: ${target.verify.length} lines run on each instance as part of its change`)
  if (target.targetGroups.length > 0) {
    signals.push(`ELB: target health in ${target.targetGroups.length} target groups, passed again by each instance back from Standby and watched during the bake`)
  }
  signals.push('EC2: status checks only see an instance that fails, not an application that does not serve')
  if (signals.length === 1) {
    return {
      signals,
      warning: 'nothing would catch a bad application version: add verify lines to change, or put the fleet behind a target group with a health check',
    }
  }
  return {signals}
}
