/**
 * `ephemeral:` — what an on-demand copy (`release env create NAME --from ENV`) differs in from its
 * source: smaller capacity, its own traffic sources, how long it lives by default, and the on-demand
 * prices its estimated cost is read from (`release env list`).
 */
import * as v from 'valibot'
import {TTL_FORM, parseTtl} from '../ttl.js'
import {named, num, optionalKey, section, text, withDefault} from './fields.js'
import {environmentTarget} from './environments.js'
import {targetName} from './names.js'
import {say} from './say.js'
import type {Tell} from './context.js'
import {suggest} from '../suggest.js'

const ttl = v.pipe(
  text(),
  v.check(
    (s) => {
      try {
        parseTtl(s)
        return true
      } catch {
        return false
      }
    },
    say({kind: 'expected', what: TTL_FORM, hint: 'Write {key} like 8h, 2d or 30m.'}),
  ),
)

export const ephemeral = section({
  ttl: withDefault(ttl, '8h', 'How long a copy lives when `env create` is given no `--ttl` (1m to 90d, e.g. `8h`, `2d`). `release env reap` destroys it once that time is up.'),
  targets: withDefault(
    named(targetName(), environmentTarget),
    {},
    "What differs in a copy per target, over its source environment: `parameters` (e.g. `{DesiredCapacity: 1}`), `trafficSources`, `gates`. An immutable target of a copy serves no load balancer unless `trafficSources` names target groups for it: a copy never takes its source's traffic.",
  ),
  prices: withDefault(
    named(text(), num({min: 0})),
    {},
    'On-demand prices in USD per instance-hour by instance type (e.g. `{t3.small: 0.0208}`), over the built-in table (docs/environments.md), for the estimated cost `release env list` shows.',
  ),
})

export type EphemeralOutput = v.InferOutput<typeof ephemeral>

export const ephemeralEntry = optionalKey(ephemeral, 'How on-demand copies made by `release env create` differ from their source (capacity, traffic sources, default TTL) and the prices their cost is estimated with. See Environments.')

type Written = {ephemeral?: EphemeralOutput; targets: Record<string, unknown>}

/** Each target `ephemeral.targets` sets is a target of `targets`. */
export function checkEphemeral(config: Written, tell: Tell): void {
  const names = Object.keys(config.targets)
  for (const name of Object.keys(config.ephemeral?.targets ?? {})) {
    if (names.includes(name)) continue
    const near = suggest(name, names)
    tell({kind: 'problem', at: 'key', text: `{path}: no target "${name}"; targets: ${names.join(', ')}`, hint: near ? `Did you mean "${near}"?` : 'Use a target name from targets.'}, ['ephemeral', 'targets', name])
  }
}
