/** `simulated:` — the simulated AWS account the CLI runs against by default. */
import * as v from 'valibot'
import {key, list, named, num, oneOf, optionalKey, section, text, unique, withDefault} from './fields.js'
import {documentName, groupName, targetGroupArn, version} from './names.js'
import {say} from './say.js'

export const MAX_SIMULATED_INSTANCES = 20_000
const THROTTLE_SERVICES = ['cloudformation', 'autoscaling', 'ssm'] as const

const patterns = (description: string) => optionalKey(list(text(), {what: 'strings', example: "['*-bad']"}), description)
const rate = () => num({min: 0, max: 1})
const millis = () => num({min: 0, what: 'a time in milliseconds (a number of at least 0)'})

const throttle = v.pipe(
  section({
    rate: key(rate(), 'Share of calls answered with a throttling error, from 0 to 1.'),
    from: optionalKey(millis(), 'Virtual time (ms) from which calls are throttled.'),
    until: optionalKey(millis(), 'Virtual time (ms) until which calls are throttled.'),
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

export const faults = section({
  unhealthyVersions: patterns('Versions (glob patterns) whose instances fail their health checks.'),
  degradeVersions: optionalKey(
    list(
      section({
        pattern: key(text(), "A version pattern such as '*-flaky'."),
        afterSeconds: key(num({min: 0}), 'Seconds after launch when the instances turn unhealthy.'),
      }),
      {what: 'mappings with pattern and afterSeconds', example: "[{pattern: '*-flaky', afterSeconds: 60}]"},
    ),
    'Versions whose instances turn unhealthy some time after launch.',
  ),
  failStackCreation: patterns('Versions whose stack fails to create.'),
  failStackDeletion: patterns('Versions whose stack fails to delete.'),
  failTrafficAttach: patterns('Versions whose group fails to attach to its traffic sources.'),
  throttle: optionalKey(throttle, 'Throttle calls to the simulated services.'),
  commandFailureRate: optionalKey(rate(), 'Share of SSM command invocations that fail, from 0 to 1.'),
  undeliverableInstances: optionalKey(rate(), 'Share of instances SSM cannot deliver commands to, from 0 to 1.'),
})

const trafficSources = list(targetGroupArn(), {what: 'strings', example: `['arn:aws:elasticloadbalancing:<region>:<12-digit account>:targetgroup/<name>/<16 hex digits>']`})

export const fleet = section({
  instances: key(num({integer: true, min: 1, max: MAX_SIMULATED_INSTANCES}), `How many instances the group runs, 1 to ${MAX_SIMULATED_INSTANCES}.`),
  version: key(version(), 'The version its instances run at the start.'),
  trafficSources: withDefault(v.pipe(trafficSources, unique((arn) => arn)), [], 'ELB target group ARNs the group is attached to.'),
})

export const document = section({
  parameters: key(
    v.pipe(list(text(), {what: 'parameter names', example: '[Version, Mode]'}), unique((name) => `parameter ${name}`)),
    "The document's parameter names, e.g. [Version].",
  ),
})

function speed() {
  const said = say({
    kind: 'expected',
    what: "a number greater than 0 (virtual seconds per real second) or 'instant'",
    hint: "Set {key} to a number greater than 0 (virtual seconds per real second) or 'instant'.",
  })
  return v.pipe(
    v.union([v.literal('instant'), v.number()], said),
    v.check((s) => s === 'instant' || (Number.isFinite(s) && s > 0), said),
  )
}

export const simulated = section({
  speed: withDefault(
    speed(),
    20,
    "Virtual seconds per real second for the CLI (a 1-minute bake takes 3 s at 20), or 'instant'.",
  ),
  seed: withDefault(num({integer: true}), 1, 'Seed of the simulated account: the same seed gives the same run.'),
  faults: withDefault(faults, {}, 'Faults the simulated account injects, to rehearse failures.'),
  fleets: withDefault(
    named(groupName('key'), fleet),
    {},
    'Auto Scaling groups that exist in the simulated account before any release (incremental targets change them in place), by name.',
  ),
  documents: withDefault(named(documentName('key'), document), {}, 'Custom SSM documents the simulated account knows, by name.'),
})

export type SimulatedOutput = v.InferOutput<typeof simulated>
