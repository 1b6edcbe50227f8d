/** `simulated:` — the simulated AWS account the CLI runs against by default. */
import * as v from 'valibot'
import {key, list, matching, named, num, oneOf, optionalKey, section, text, unique, withDefault} from './fields.js'
import {documentName, groupName, targetGroupArn, version} from './names.js'
import {say} from './say.js'
import {refine} from './context.js'
import {SIM_SPEED_RANGE} from '../sim-speed.js'

export const MAX_SIMULATED_INSTANCES = 20_000
const THROTTLE_SERVICES = ['cloudformation', 'autoscaling', 'ssm'] as const

const patterns = (description: string) => optionalKey(list(text(), {what: 'strings', example: "['*-bad']"}), description)
const rate = () => num({min: 0, max: 1})
const millis = () => num({min: 0, what: 'a time in milliseconds (a number of at least 0)'})

const throttle = v.pipe(
  section({
    rate: key(rate(), 'Share of calls answered with a throttling error, from 0 to 1.'),
    from: optionalKey(millis(), 'Virtual time, milliseconds since the epoch, from which calls are throttled.'),
    until: optionalKey(millis(), 'Virtual time, milliseconds since the epoch, until which calls are throttled; after `from`.'),
    services: optionalKey(list(oneOf(THROTTLE_SERVICES), {what: 'service names', example: '[cloudformation, ssm]'}), 'Services throttled (all when absent).'),
  }),
  v.rawCheck(({dataset, addIssue}) => {
    if (!dataset.typed) return
    const {from, until} = dataset.value
    if (from !== undefined && until !== undefined && until <= from) {
      addIssue({
        message: say({kind: 'expected', what: `a time after from (${String(from)})`, hint: 'Make until greater than from.'}),
        path: [{type: 'object', origin: 'value', input: dataset.value, key: 'until', value: until}],
      })
    }
  }),
)

const NETWORK_SERVICES = ['cloudformation', 'autoscaling', 'ssm', 'elbv2'] as const

/** An IAM action or a pattern of them: `service:Action`, with IAM's `*` and `?` wildcards. */
const IAM_ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/
const iamAction = () =>
  matching(IAM_ACTION, (action) => ({
    kind: 'problem',
    text: `{path}: expected an IAM action such as ssm:SendCommand or autoscaling:Describe*, got ${JSON.stringify(action)}`,
    hint: 'Write each action as service:Action, as in an IAM policy (docs/iam.md lists those each command needs).',
  }))

const network = section({
  rate: key(rate(), 'Share of calls that fail as a broken connection does, from 0 to 1: half before the call reaches the service (nothing done), half after the service carried it out (the answer is lost).'),
  services: optionalKey(list(oneOf(NETWORK_SERVICES), {what: 'service names', example: '[ssm, autoscaling]'}), 'Services whose calls fail (all when absent).'),
})

export const faults = section({
  unhealthyVersions: patterns('Instances of a matching version boot, then report Unhealthy; `release-sim check` fails on them, and so do other commands run on them.'),
  degradeVersions: optionalKey(
    list(
      section({
        pattern: key(text(), "A version pattern such as '*-flaky'."),
        afterSeconds: key(num({min: 0}), 'Seconds after launch when the instances turn unhealthy.'),
      }),
      {what: 'mappings with pattern and afterSeconds', example: "[{pattern: '*-flaky', afterSeconds: 60}]"},
    ),
    'Instances of a matching version are healthy at first, then turn Unhealthy `afterSeconds` (virtual) after they are InService.',
  ),
  failStackCreation: patterns("The stack's Auto Scaling group fails to create; the stack ends `ROLLBACK_COMPLETE`."),
  failStackDeletion: patterns('Deleting the stack ends `DELETE_FAILED`.'),
  failTrafficAttach: patterns('Attaching a group whose instances run a matching version fails with a ValidationError.'),
  throttle: optionalKey(throttle, 'Each call fails with a throttling error with probability `rate`, optionally only from `from` until `until` and only for `services`.'),
  network: optionalKey(network, 'A share `rate` of the calls (of `services`, all when absent) fails with a connection reset or a timeout, as a real network does; `release` retries them and never sends a command twice.'),
  commandFailureRate: optionalKey(rate(), "Probability that one instance's invocation of one SSM command fails (commands that only read the version are spared)."),
  unregisteredVersions: patterns(
    "Instances of a matching version never register their SSM agent (as without an instance profile with AmazonSSMManagedInstanceCore, or without a route to the SSM endpoints): DescribeInstanceInformation leaves them out and SendCommand refuses them with InvalidInstanceId. A seeded fleet of a matching version never registered either. Other instances register 5 to 30 s (virtual) after they boot.",
  ),
  undeliverableInstances: optionalKey(rate(), 'Fraction of instances (fixed per instance) whose SSM invocations end `Undeliverable`.'),
  allowActions: optionalKey(
    list(iamAction(), {what: 'IAM actions', example: "['ssm:SendCommand', 'autoscaling:Describe*']"}),
    'The IAM policy of whoever calls the account: only these actions (`service:Action`, with `*` and `?` as IAM reads them) are allowed, and any other call is refused with AccessDenied before the service sees it, as AWS refuses an action no policy allows. Try a least-privilege policy (docs/iam.md) here before giving it to a CI role. Absent: every action is allowed.',
  ),
  // CloudWatch alarms (src/sim/alarms.ts).
  alarmingVersions: patterns("The alarms of a target (its `alarms:`) go to `ALARM` `alarmAfterSeconds` after an instance of a matching version takes its traffic (InService and healthy behind its traffic sources, or in its fleet's group), and back to `OK` once none does."),
  alarmAfterSeconds: optionalKey(num({min: 0}), 'Seconds (virtual) a version of `alarmingVersions` takes traffic before the alarms fire; 60 when absent.'),
})

const trafficSources = list(targetGroupArn(), {what: 'strings', example: `['arn:aws:elasticloadbalancing:<region>:<12-digit account>:targetgroup/<name>/<16 hex digits>']`})

export const fleet = v.pipe(
  section({
    instances: key(num({integer: true, min: 1, max: MAX_SIMULATED_INSTANCES}), `How many instances the group runs, 1 to ${MAX_SIMULATED_INSTANCES}.`),
    version: key(version(), 'The version its instances run at the start. Quote it: `1.0` unquoted is a number.'),
    trafficSources: withDefault(
      v.pipe(trafficSources, unique((arn) => arn)),
      [],
      "Traffic sources (ELB target group ARNs) the group is attached to from the start (the target groups are created with the fleet, AWS's default health check and a 300 s deregistration delay). Instances of a group with traffic sources go to Standby while an incremental release changes them. The group uses EC2 health checks: it does not replace instances that fail the load balancer's check.",
    ),
    min: optionalKey(
      num({integer: true, min: 0, max: MAX_SIMULATED_INSTANCES}),
      "The group's MinSize, at most `instances` (default 0). Auto Scaling refuses Standby that would take the desired capacity below it, so `release plan` refuses a window that would (exit 2).",
    ),
    max: optionalKey(
      num({integer: true, min: 1, max: MAX_SIMULATED_INSTANCES}),
      `The group's MaxSize, at least \`instances\` (default \`instances\`), at most ${MAX_SIMULATED_INSTANCES}.`,
    ),
  }),
  refine<{instances: number; version: string; trafficSources: string[]; min?: number; max?: number}>((f, tell) => {
    if (f.min !== undefined && f.min > f.instances) {
      tell({kind: 'expected', what: `an integer from 0 to instances (${f.instances})`, hint: 'A group runs at least its MinSize: make min at most instances.'}, ['min'])
    }
    if (f.max !== undefined && f.max < f.instances) {
      tell({kind: 'expected', what: `an integer from instances (${f.instances}) to ${MAX_SIMULATED_INSTANCES}`, hint: 'A group runs at most its MaxSize: make max at least instances.'}, ['max'])
    }
  }),
)

const seconds = (min: number, max: number) => num({integer: true, min, max})

/** A simulated target group's health check and draining, for demos that should not wait AWS's defaults. */
export const targetGroup = section({
  deregistrationDelaySeconds: optionalKey(
    seconds(0, 3600),
    "How long a deregistered target drains (deregistration_delay.timeout_seconds), 0 to 3600; AWS's default is 300. An immutable release's shift waits it out (it is added to the shift timeout).",
  ),
  intervalSeconds: optionalKey(seconds(5, 300), "Seconds between two health checks of a target (HealthCheckIntervalSeconds), 5 to 300; default 30."),
  healthyThreshold: optionalKey(seconds(2, 10), 'Passed checks before a target is healthy (HealthyThresholdCount), 2 to 10; default 5.'),
  unhealthyThreshold: optionalKey(seconds(2, 10), 'Failed checks before a target is unhealthy (UnhealthyThresholdCount), 2 to 10; default 2.'),
})

export const document = section({
  parameters: key(
    v.pipe(list(text(), {what: 'parameter names', example: '[Version, Mode]'}), unique((name) => `parameter ${name}`)),
    "The document's parameter names, e.g. [Version]. No duplicates.",
  ),
})

function speed() {
  const range = `from ${SIM_SPEED_RANGE.min} to ${SIM_SPEED_RANGE.max}`
  const said = say({
    kind: 'expected',
    what: `a number ${range} (virtual seconds per real second) or 'instant'`,
    hint: `Set {key} to a number ${range} (virtual seconds per real second) or 'instant' (without quotes).`,
  })
  return v.pipe(
    v.union([v.literal('instant'), v.number()], said),
    v.check((s) => s === 'instant' || (Number.isFinite(s) && s >= SIM_SPEED_RANGE.min && s <= SIM_SPEED_RANGE.max), said),
  )
}

export const simulated = section({
  dir: optionalKey(
    text(),
    'Where the simulated account is kept (default `<stateDir>/sim`), relative to the directory of release.yml. Working directories that name one `dir` (and one DynamoDB `state` table) share one simulated account, as CI jobs share one AWS account.',
  ),
  speed: withDefault(
    speed(),
    20,
    'Virtual seconds per real second, from 0.01 to 1000000. At 20, a 2-minute bake takes 6 s. `instant` does not wait at all. The environment variable `RELEASE_SIM_SPEED` (a number in the same range, or `instant`) overrides it; any other value there is refused (`E_SIM_SPEED`, exit 2) before a release starts.',
  ),
  seed: withDefault(num({integer: true}), 1, 'Seed of the random numbers of a new account (boot times, instance ids, failure draws). An existing account keeps its own.'),
  faults: withDefault(faults, {}, 'Failures to inject; see Simulated faults.'),
  fleets: withDefault(
    named(groupName('key'), fleet),
    {},
    'Auto Scaling groups that exist before any release, for incremental targets to change in place, by group name (1 to 255 characters).',
  ),
  targetGroups: withDefault(
    named(targetGroupArn('key'), targetGroup),
    {},
    "Settings of the target groups the simulated account creates (those of targets' and fleets' trafficSources), by target group ARN: a shorter deregistration delay or fewer health checks make a demo quicker. They apply when the account creates the target group; an existing account keeps its own (delete the state directory's sim folder to start over).",
  ),
  documents: withDefault(named(documentName('key'), document), {}, 'Custom SSM documents the account knows, besides `AWS-RunShellScript` and `AWS-RunPowerShellScript`, by document name.'),
})

export type SimulatedOutput = v.InferOutput<typeof simulated>
