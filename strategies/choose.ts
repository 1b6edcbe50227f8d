/**
 * The `auto` rule: a template that holds data which must survive a release is changed in place
 * (incremental); anything else is replaced whole, red/black (immutable). Pure: reads only the
 * template's Resources, so release.yml validation, `release plan` and the app agree on one answer.
 */

export type StrategyName = 'immutable' | 'incremental'

/** A resource whose data outlives the stack that made it, and the rule that says so. */
export interface DurableResource {
  logicalId: string
  type: string
  /** Which rule matched, e.g. "type AWS::RDS::DBInstance holds data" or "DeletionPolicy Retain". */
  why: string
}

export interface StrategyVerdict {
  strategy: StrategyName
  reason: string
  /** In the template's order; empty for an immutable verdict. */
  durable: DurableResource[]
}

/** Resource types whose whole purpose is to keep data: replacing them loses it (or costs a restore). */
const DURABLE_TYPE_PREFIXES = ['AWS::RDS::', 'AWS::ElastiCache::'] as const
const DURABLE_TYPES = ['AWS::EC2::Volume', 'AWS::EFS::FileSystem', 'AWS::DynamoDB::Table'] as const

/**
 * Deletion policies that keep something when CloudFormation deletes the resource: the author said the
 * data matters. RetainExceptOnCreate is Retain for every resource that was ever created successfully.
 */
const KEEPING_DELETION_POLICIES = ['Retain', 'RetainExceptOnCreate', 'Snapshot'] as const

export function chooseStrategy(resources: Record<string, {Type: string; DeletionPolicy?: string}>): StrategyVerdict {
  const durable: DurableResource[] = []
  for (const [logicalId, resource] of Object.entries(resources)) {
    const why = durableBecause(resource)
    if (why.length > 0) durable.push({logicalId, type: resource.Type, why: why.join('; ')})
  }
  if (durable.length === 0) {
    return {strategy: 'immutable', reason: 'no durable resources: stateless fleet, released red/black', durable}
  }
  const named = durable.map((d) => `${d.logicalId} (${d.why})`).join(', ')
  return {
    strategy: 'incremental',
    reason: `durable resources ${named}: changed in place so their data survives, released incrementally`,
    durable,
  }
}

function durableBecause(resource: {Type: string; DeletionPolicy?: unknown}): string[] {
  const why: string[] = []
  const type = typeof resource.Type === 'string' ? resource.Type : ''
  if (DURABLE_TYPE_PREFIXES.some((prefix) => type.startsWith(prefix)) || (DURABLE_TYPES as readonly string[]).includes(type)) {
    why.push(`type ${type} holds data`)
  }
  const policy = resource.DeletionPolicy
  if (typeof policy === 'string') {
    if ((KEEPING_DELETION_POLICIES as readonly string[]).includes(policy)) why.push(`DeletionPolicy ${policy}`)
  } else if (policy !== undefined && policy !== null) {
    // An intrinsic (Fn::If, Ref to a parameter) may resolve to Retain or Snapshot: assume it does.
    why.push('DeletionPolicy set by an intrinsic function (may be Retain or Snapshot)')
  }
  return why
}
