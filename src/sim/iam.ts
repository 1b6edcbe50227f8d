/**
 * The caller's IAM policy, as far as the simulated account checks it (faults.allowActions): a call
 * whose action no pattern allows is refused before the service sees it, as AWS refuses an action that
 * no identity-based policy allows. So a release manager can try a least-privilege policy (docs/iam.md)
 * on the simulated account before handing it to a CI role, and the tests check that the policy the
 * docs give is enough for each command.
 */
import {sdk} from '../aws/sdk.js'
import type {SimService} from './types.js'

/** The IAM service prefix of each simulated service's actions (Elastic Load Balancing v2 shares `elasticloadbalancing` with v1). */
export const IAM_PREFIX: Record<SimService, string> = {
  cloudformation: 'cloudformation',
  autoscaling: 'autoscaling',
  ssm: 'ssm',
  elbv2: 'elasticloadbalancing',
  cloudwatch: 'cloudwatch',
  sns: 'sns',
  eventbridge: 'events',
}

/** The IAM action a call needs: `<prefix>:<API operation>`, as policies name it. */
export function iamAction(service: SimService, command: string): string {
  return `${IAM_PREFIX[service]}:${command}`
}

/** A pattern as IAM reads one: case-insensitive, `*` any run of characters, `?` any one. */
function patternRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')
  return new RegExp(`^${body}$`, 'i')
}

/** The patterns of a policy, compiled once per faults object (every call of the account checks them). */
const compiled = new WeakMap<readonly string[], RegExp[]>()

/** Whether `allow` (undefined: no policy checked, everything allowed) allows the action. */
export function allows(allow: readonly string[] | undefined, action: string): boolean {
  if (allow === undefined) return true
  let patterns = compiled.get(allow)
  if (!patterns) compiled.set(allow, (patterns = allow.map(patternRegExp)))
  return patterns.some((pattern) => pattern.test(action))
}

/**
 * The error AWS answers for an action no policy allows. The Query-protocol services (CloudFormation,
 * Auto Scaling, ELBv2, CloudWatch) say `AccessDenied`, SNS says `AuthorizationError`, the JSON ones
 * (SSM, EventBridge) `AccessDeniedException`; all with HTTP 403 and a message naming the action.
 */
export function accessDenied(service: SimService, command: string, accountId: string): Error {
  const action = iamAction(service, command)
  const message = `User: arn:aws:sts::${accountId}:assumed-role/release/session is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`
  const base = {message, $metadata: {httpStatusCode: 403}}
  const client = {name: 'AccessDenied', $fault: 'client' as const, ...base}
  switch (service) {
    case 'ssm':
      return new (sdk.ssm().AccessDeniedException)({...base, Message: message})
    case 'eventbridge':
      return new (sdk.eventBridge().AccessDeniedException)(base)
    case 'sns':
      return new (sdk.sns().AuthorizationErrorException)(base)
    case 'cloudformation':
      return new (sdk.cloudFormation().CloudFormationServiceException)(client)
    case 'autoscaling':
      return new (sdk.autoScaling().AutoScalingServiceException)(client)
    case 'elbv2':
      return new (sdk.elbv2().ElasticLoadBalancingV2ServiceException)(client)
    case 'cloudwatch':
      return new (sdk.cloudWatch().CloudWatchServiceException)(client)
  }
}
