/** Keys both strategies' targets have, and the lists that tell one strategy's keys from the other's. */
import * as v from 'valibot'
import {duration, list, oneOf, section, text, withDefault} from './fields.js'

export const STRATEGIES = ['immutable', 'incremental', 'auto'] as const
export const IMMUTABLE_GATES = ['beforeShift', 'beforeRetire'] as const
export const INCREMENTAL_GATES = ['afterCanary'] as const

export const TEMPLATE_WHAT = 'The CloudFormation template, relative to the config file'

export function strategy<const S extends (typeof STRATEGIES)[number]>(name: S) {
  return v.pipe(v.literal(name), v.description('immutable (red/black: a new stack per release), incremental (in place through SSM, a window at a time) or auto (chosen from the template: durable resources make it incremental).'))
}

export function template(what: string) {
  return v.pipe(text(), v.description(what))
}

export function gates<const G extends readonly [string, ...string[]]>(names: G, description: string) {
  return withDefault(list(oneOf(names), {what: 'gate names', example: `[${names.join(', ')}]`}), [], description)
}

/** `timeouts:` of a strategy: every step with its default, each above zero. */
export function timeouts<const T extends Record<string, string>>(defaults: T, what: Record<keyof T, string>) {
  const step = (fallback: string, description: string) => withDefault(duration({aboveZero: true}), fallback, description)
  const entries = Object.fromEntries(Object.entries(defaults).map(([name, fallback]) => [name, step(fallback, what[name as keyof T])])) as {
    [K in keyof T]: ReturnType<typeof step>
  }
  // {} as never: every step is optional, which TypeScript cannot see through the mapped type.
  return withDefault(section(entries), {} as never, 'How long each step may wait, each above `0s`. A step that runs out of time fails.')
}
