/** An immutable target (red/black): a new CloudFormation stack per release, traffic moved, old ones retired. */
import * as v from 'valibot'
import {alarmsEntry} from './alarms.js'
import {driftEntry} from './drift.js'
import {notifyEntry} from './notify.js'
import {chooseStrategy} from '../../../strategies/choose.js'
import {checkPlaceholders} from '../placeholders.js'
import {suggest} from '../suggest.js'
import {IMMUTABLE_GATES, TEMPLATE_WHAT, gates, strategy, template, timeouts} from './common.js'
import {refine} from './context.js'
import {bool, duration, key, list, named, num, optionalKey, section, text, unique, withDefault} from './fields.js'
import {TARGET_GROUP_ARN_FORM, targetGroupArn, targetEnvironments} from './names.js'
import {say} from './say.js'

export const parameterValue = v.union(
  [v.string(), v.number()],
  say({kind: 'expected', what: 'a string or a number', hint: 'Give {key} a value; quote it if it looks like true/false or null.'}),
)

export const immutableEntries = {
  strategy: strategy('immutable'),
  template: template(`${TEMPLATE_WHAT}. The CloudFormation template (YAML or JSON) of one release's stack.`),
  versionParameter: withDefault(text(), 'Version', 'The template parameter that receives the version being released. It must exist in the template.'),
  parameters: withDefault(named(v.string(), parameterValue), {}, 'Values for the other template parameters. Every key must be a parameter of the template. Do not set the `versionParameter` here: `release` sets it. Every parameter without a `Default` must be given. Numbers are passed as written (`4` becomes `"4"`); quote values that look like `true`, `false` or `null`.'),
  trafficSources: key(
    v.pipe(list(targetGroupArn(), {what: 'strings', example: `['${TARGET_GROUP_ARN_FORM}']`, nonEmpty: true}), unique((arn) => arn)),
    'ELB target group ARNs, at least one. Where the group takes traffic; no duplicates. Each must look like `arn:aws:elasticloadbalancing:<region>:<12-digit account>:targetgroup/<name>/<16 hex digits>`.',
  ),
  retain: withDefault(num({integer: true, min: 0, max: 10}), 1, 'How many previous stacks to keep, scaled to zero, for a rollback without a new stack (0 to 10); the stack of the last known good version is kept first. Their instances boot again on a rollback unless kept warm (`keepWarm`). `0` deletes every previous stack once the new version is live.'),
  keepWarm: withDefault(
    duration(),
    '0s',
    'How long the group that served before a successful release stays serving-ready (detached from the traffic sources, not scaled to zero), so that a rollback inside that window is one traffic switch with no boot. `0s` (the default) scales it to zero at once. When that time is up, the next command that takes the lease of the target (rollout, rollback, resume, promote, abort) or `release tidy` (for a scheduled CI job) scales it to zero; `release status` says until when it stays warm.',
  ),
  bake: withDefault(duration(), '2m', 'How long to watch the new group after the traffic moved, with the old group still running. `0s` skips the wait.'),
  verify: optionalKey(
    section({
      commands: key(
        list(text(), {what: 'strings', example: "['curl -fsS localhost/health']", nonEmpty: true}),
        'Shell commands run on every new instance through Systems Manager (`AWS-RunShellScript`) before traffic moves, at least one. An instance passes only if its invocation ends `Success`; `Undeliverable`, timeouts and failures count as failures.',
      ),
    }),
    'Smoke checks of every new instance before traffic moves. Without `verify`, only the health checks are required.',
  ),
  current: optionalKey(
    list(text(), {what: 'strings', example: "['cat /opt/app/VERSION']"}),
    'Shell lines that print the version an instance runs now, as the first word of their output, run through Systems Manager (`AWS-RunShellScript`) like `change.current` of an incremental target and under the same rules: `release drift` reads every InService instance of the live group with them and reports any not on the live version (changed by hand, or launched from an old template), and any whose agent never registered or whose command failed. Without `current`, drift does not check the instances\' versions and says so.',
  ),
  timeouts: timeouts(
    {provision: '15m', capacity: '10m', verify: '5m', shift: '10m', retire: '15m'},
    {
      provision: 'Creating the stack.',
      capacity: 'Waiting for every new instance to be InService and healthy.',
      verify: 'The smoke check on every instance; also bounds the wait for their SSM agents to register before it. In `release drift`, bounds the wait for the agents of the live group and, twice over, reading `current`.',
      shift: 'Attaching the new group and detaching the old one (and the same moves when traffic is reverted).',
      retire: "Deleting each stack, when retiring old stacks and when discarding a failed release's stack.",
    },
  ),
  allowDurableReplacement: withDefault(
    bool(),
    false,
    'Release a template that holds durable resources red/black anyway. Without it, such a template is refused for `strategy: immutable`, because every release would create those resources anew (and retiring old stacks deletes them).',
  ),
  environments: optionalKey(targetEnvironments(), 'The environments this target exists in (names from `environments`); default: all of them. A target listed for `dev` alone is unknown in the others.'),
  alarms: alarmsEntry,
  drift: driftEntry,
  notify: notifyEntry,
  gates: gates(IMMUTABLE_GATES, 'Where a release waits for `release promote` or `release abort` (paused, exit 10): beforeShift, beforeRetire.'),
}

export const IMMUTABLE_KEYS = Object.keys(immutableEntries)

type Immutable = v.InferOutput<ReturnType<typeof section<typeof immutableEntries>>>

/** The rules that need the template: it must take what the target sets, and hold nothing durable unless allowed. */
export const immutableRules = refine<Immutable>((t, tell, context) => {
  // The rules of change.current (src/config/placeholders.ts): the lines reach a shell on every instance.
  t.current?.forEach((line, i) => {
    const problem = checkPlaceholders(line)
    if (problem) tell({kind: 'problem', at: 'value', index: problem.index, text: `{path}: ${problem.problem}`, hint: problem.hint}, ['current', i])
  })

  const loaded = context?.templates.get(t.template)
  if (!loaded) return
  const shown = loaded.shown
  const declared = loaded.template.Parameters ?? {}
  const names = Object.keys(declared)
  const list = names.length > 0 ? names.join(', ') : '(none)'

  const {durable} = chooseStrategy(loaded.template.Resources ?? {})
  if (durable.length > 0 && !t.allowDurableReplacement) {
    const named = durable.map((d) => `${d.logicalId} (${d.why})`).join(', ')
    tell(
      {
        kind: 'problem',
        at: 'value',
        text: `{path}: strategy immutable replaces every resource of ${shown} at each release, and it holds durable resources: ${named}`,
        hint: `Use strategy incremental or auto to change {target} in place, or set allowDurableReplacement: true if replacing them is intended.`,
      },
      ['strategy'],
    )
  }

  if (!names.includes(t.versionParameter)) {
    const near = suggest(t.versionParameter, names)
    tell(
      {
        kind: 'problem',
        at: 'value',
        text: `{path}: template ${shown} has no parameter "${t.versionParameter}"{absent: (the default versionParameter)}; its parameters: ${list}`,
        hint: near
          ? `Did you mean "${near}"? Set versionParameter: ${near}.`
          : `Add a "${t.versionParameter}" parameter to ${shown}, or set versionParameter to the template parameter that carries the version.`,
        absent: 'template',
      },
      ['versionParameter'],
    )
  }

  for (const name of Object.keys(t.parameters)) {
    if (name === t.versionParameter) {
      tell(
        {
          kind: 'problem',
          at: 'key',
          text: `{path}: sets the versionParameter ${name}, which release sets to the version being released`,
          hint: `Remove ${name} from parameters; pass the version to release rollout instead.`,
        },
        ['parameters', name],
      )
    } else if (!names.includes(name)) {
      const near = suggest(name, names)
      tell(
        {
          kind: 'problem',
          at: 'key',
          text: `{path}: template ${shown} has no parameter "${name}"; its parameters: ${list}`,
          hint: near ? `Did you mean "${near}"?` : `Remove ${name}, or add it to the Parameters of ${shown}.`,
        },
        ['parameters', name],
      )
    }
  }
  // Refuse now what CloudFormation would refuse at stack creation: a parameter without a default left
  // unset (unless versionParameter names none: the template's version parameter is then likely unset).
  if (!names.includes(t.versionParameter)) return
  for (const [name, definition] of Object.entries(declared)) {
    const hasDefault = (definition as {Default?: unknown} | undefined)?.Default !== undefined
    if (name !== t.versionParameter && !hasDefault && !(name in t.parameters)) {
      tell(
        {
          kind: 'problem',
          at: 'key',
          text: `{path}: template ${shown} requires parameter "${name}" (it has no Default)`,
          hint: `Add "${name}: <value>" under parameters of target {target}, or give it a Default in the template.`,
        },
        ['parameters'],
      )
    }
  }
})

