/**
 * `environments:` — the places the same targets are released to (dev, staging, prod...), each with
 * what differs there. Without it there is one implicit environment, exactly as before.
 */
import * as v from 'valibot'
import {suggest} from '../suggest.js'
import {IMMUTABLE_GATES, INCREMENTAL_GATES} from './common.js'
import type {Tell} from './context.js'
import {bool, list, named, oneOf, optionalKey, section, text, unique, withDefault} from './fields.js'
import {parameterValue} from './immutable.js'
import {fleet} from './incremental.js'
import {REGION, TARGET_GROUP_ARN_FORM, environmentName, targetGroupArn, targetName} from './names.js'
import {say} from './say.js'
import {alarmList} from './alarms.js'
import {notifyList} from './notify.js'

export {ENVIRONMENT_NAME} from './names.js'

const region = v.pipe(
  text(),
  v.check((r) => REGION.test(r), say({kind: 'expected', what: 'an AWS region such as us-east-1 or eu-west-3', hint: 'Set {key} to the region code, e.g. us-east-1.'})),
)

const ALL_GATES = [...IMMUTABLE_GATES, ...INCREMENTAL_GATES] as const

/** What differs for one target in one environment; what is not set is taken from the target. */
export const environmentTarget = section({
  parameters: optionalKey(
    named(v.string(), parameterValue),
    "Template parameters of an immutable target in this environment, merged over the target's own `parameters` (the same rules apply: each must be a parameter of the template).",
  ),
  trafficSources: optionalKey(
    v.pipe(list(targetGroupArn(), {what: 'strings', example: `['${TARGET_GROUP_ARN_FORM}']`, nonEmpty: true}), unique((arn) => arn)),
    "The ELB target groups of an immutable target in this environment, replacing the target's own: two environments never shift each other's traffic.",
  ),
  fleet: optionalKey(fleet, "The fleet of an incremental target in this environment, replacing the target's: {group: NAME} or {tags: {Env: staging}}."),
  gates: optionalKey(
    list(oneOf(ALL_GATES), {what: 'gate names', example: `[${ALL_GATES.join(', ')}]`}),
    "The target's gates in this environment, replacing its own (e.g. production requires beforeShift where staging does not).",
  ),
  alarms: optionalKey(alarmList(), "CloudWatch alarms of the target in this environment, added to the target's own `alarms` and the environment's (e.g. prod-web-5xx-rate)."),
  notify: optionalKey(notifyList(), "Destinations told of the target's releases in this environment, added to the others (the environment's or top-level `notify`, and the target's)."),
})

export const environment = section({
  region: optionalKey(region, 'The region of this environment (default: the top-level `region`).'),
  protected: withDefault(bool(), false, 'Never destroyed by `release env destroy` or `env reap`.'),
  default: withDefault(bool(), false, 'The environment a command uses without `--env` (at most one; with a single environment it is the default anyway).'),
  targets: withDefault(named(targetName(), environmentTarget), {}, 'What differs here per target: `parameters`, `fleet`, `gates`. Each key must be a target of `targets`.'),
  alarms: optionalKey(alarmList(), "CloudWatch alarms that count as the health of every target in this environment (e.g. an error-budget alarm of the whole environment), added to each target's own: a release here rolls back when one is in ALARM."),
  notify: optionalKey(
    notifyList(),
    'Where the releases of this environment are told, **replacing** the top-level `notify` here (a target\'s own `notify` is still added): e.g. prod to its own channel, and `notify: []` to keep dev quiet.',
  ),
})

export type EnvironmentOutput = v.InferOutput<typeof environment>

export const environmentsEntry = optionalKey(
  named(environmentName('key'), environment, {atLeastOne: {what: 'at least one environment', hint: 'Name an environment, e.g. "staging: {}", or remove environments.'}}),
  'The environments the targets are released to (e.g. `dev`, `staging`, `prod`), each with what differs there; chosen with `--env NAME`. Without it there is one implicit environment, as before. See Environments.',
)

type Written = {
  environments?: Record<string, EnvironmentOutput>
  targets: Record<string, {strategy: 'immutable' | 'incremental'; environments?: string[]}>
}

/** Names across sections: the targets an environment sets, the environments a target lists, one default. */
export function checkEnvironments(config: Written, tell: Tell): void {
  const envs = config.environments
  const envNames = Object.keys(envs ?? {})
  for (const [name, t] of Object.entries(config.targets)) {
    if (t.environments === undefined) continue
    if (envs === undefined) {
      tell({kind: 'problem', at: 'key', text: '{path}: names environments, but release.yml has no environments section', hint: 'Add environments: (e.g. dev: {}) or remove environments from target {target}.'}, ['targets', name, 'environments'])
      continue
    }
    t.environments.forEach((env, i) => {
      if (envNames.includes(env)) return
      const near = suggest(env, envNames)
      tell({kind: 'problem', at: 'value', text: `{path}: no environment "${env}"; environments: ${envNames.join(', ')}`, hint: near ? `Did you mean "${near}"?` : 'Use a name from environments, or add it there.'}, ['targets', name, 'environments', i])
    })
  }
  if (envs === undefined) return
  const defaults = Object.entries(envs)
    .filter(([, e]) => e.default)
    .map(([name]) => name)
  if (defaults.length > 1) {
    tell({kind: 'problem', at: 'key', text: `{path}: ${defaults.join(' and ')} are both marked default: true`, hint: 'Keep default: true on one environment only.'}, ['environments'])
  }
  const targetNames = Object.keys(config.targets)
  for (const [env, e] of Object.entries(envs)) {
    for (const [name, over] of Object.entries(e.targets)) {
      const at = ['environments', env, 'targets', name]
      const t = config.targets[name]
      if (t === undefined) {
        const near = suggest(name, targetNames)
        tell({kind: 'problem', at: 'key', text: `{path}: no target "${name}"; targets: ${targetNames.join(', ')}`, hint: near ? `Did you mean "${near}"?` : 'Use a target name from targets.'}, at)
        continue
      }
      if (t.environments !== undefined && !t.environments.includes(env)) {
        tell({kind: 'problem', at: 'key', text: `{path}: target ${name} does not exist in environment ${env} (its environments: ${t.environments.join(', ')})`, hint: `Remove it here, or add ${env} to targets.${name}.environments.`}, at)
      }
      if (t.strategy === 'immutable' && over.fleet !== undefined) {
        tell({kind: 'problem', at: 'key', text: `{path}: target ${name} is immutable and has no fleet (its instances are in the stack of each release)`, hint: 'Remove fleet here; set parameters instead.'}, [...at, 'fleet'])
      }
      if (t.strategy === 'incremental' && over.trafficSources !== undefined) {
        tell({kind: 'problem', at: 'key', text: `{path}: target ${name} is incremental; its traffic sources are those of its Auto Scaling group`, hint: 'Remove trafficSources here; set fleet instead.'}, [...at, 'trafficSources'])
      }
      if (t.strategy === 'incremental' && over.parameters !== undefined) {
        tell({kind: 'problem', at: 'key', text: `{path}: target ${name} is incremental and deploys no template, so it takes no template parameters`, hint: 'Remove parameters here; set fleet for its instances in this environment.'}, [...at, 'parameters'])
      }
      const allowed: readonly string[] = t.strategy === 'immutable' ? IMMUTABLE_GATES : INCREMENTAL_GATES
      ;(over.gates ?? []).forEach((g, i) => {
        if (!allowed.includes(g)) tell({kind: 'problem', at: 'value', text: `{path}: ${g} is not a gate of ${t.strategy} target ${name}; its gates: ${allowed.join(', ')}`, hint: `Use one of: ${allowed.join(', ')}.`}, [...at, 'gates', i])
      })
    }
  }
}
