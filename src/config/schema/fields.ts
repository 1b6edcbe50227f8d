/**
 * The building blocks of the release.yml schema: each one is a valibot schema whose refusals say,
 * in the user's words, what was expected (see say.ts). A key is declared once, with `key()`: its
 * schema, its description and its default sit together, and from there come the validation, the
 * TypeScript type, the JSON Schema for editors and the reference tables of docs/config.md.
 *
 * In hints, {key} stands for the key's name and {path} for its dotted path (filled in by the report).
 */
import * as v from 'valibot'
import {DURATION_FORM, parseDuration} from '../duration.js'
import {suggest} from '../suggest.js'
import {say, type Said} from './say.js'

type Any = v.GenericSchema

/** A message that does not depend on the refused value. */
const fixed = (said: Said) => say(said)

/** A required key of a section and what it means (its first sentence also names it when missing). */
export function key<S extends Any>(schema: S, description: string) {
  return v.pipe(schema, v.description(description))
}

/** An optional key and the value read when it is absent (written once, here: the editor and the docs show it too). */
export function withDefault<S extends Any, const D extends v.Default<S, undefined>>(schema: S, fallback: D, description: string) {
  return v.pipe(v.optional(schema, fallback), v.description(description))
}

/** An optional key without a default (its absence means something of its own). */
export function optionalKey<S extends Any>(schema: S, description: string) {
  return v.pipe(v.optional(schema), v.description(description))
}

/** What a required key is, for "missing KEY (WHAT)": the first sentence of its description. */
export function missingWhat(schema: Any): string {
  const description = v.getDescription(schema) ?? ''
  return description
    .replace(/\.\s+(?=[A-Z]).*$/s, '')
    .replace(/\.$/, '')
    .replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase())
}

/**
 * A mapping with a fixed set of keys: refuses a key outside them (with a did-you-mean, or naming
 * the strategy it belongs to) and names a missing required one.
 */
/**
 * `other`: the keys of the other strategy's targets, so that such a key is named as belonging there
 * rather than as a typo.
 */
export function section<E extends v.ObjectEntries>(entries: E, opts: {other?: {strategy: string; keys: readonly string[]}} = {}) {
  const allowed = Object.keys(entries)
  const strict = v.strictObject(entries, (issue) => {
    const last = issue.path?.[issue.path.length - 1]
    if (issue.expected === 'never' && last) return say({kind: 'unknown', key: String(last.key), allowed, ...(opts.other ? {other: opts.other} : {})})
    if (last && last.origin === 'key') {
      const name = String(last.key)
      return say({kind: 'missing', key: name, what: missingWhat(entries[name] as Any)})
    }
    return say({kind: 'expected', what: 'a mapping of keys to values', hint: 'Write {key} as indented "key: value" lines.'})
  })
  // A key written empty (`bake:` or `bake: ~`) counts as absent, so that its default applies; a list
  // is not a mapping (valibot's object schemas would take one).
  return {
    ...strict,
    '~run'(dataset: v.UnknownDataset, config: v.Config<v.BaseIssue<unknown>>) {
      const input = dataset.value
      const value = Array.isArray(input) ? null : input && typeof input === 'object' ? withoutEmpty(input as Record<string, unknown>) : input
      return strict['~run']({...dataset, value}, config)
    },
  } as typeof strict
}

function withoutEmpty(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, value] of Object.entries(input)) if (value !== null && value !== undefined) out[k] = value
  return out
}

/** A mapping whose keys are names the user chooses (targets, fleets, tags...). */
export function named<K extends v.GenericSchema<string, string>, S extends Any>(names: K, value: S, opts: {atLeastOne?: {what: string; hint: string}} = {}) {
  const record = v.record(names, value, fixed({kind: 'expected', what: 'a mapping of keys to values', hint: 'Write {key} as indented "key: value" lines.'}))
  const map = {
    ...record,
    '~run'(dataset: v.UnknownDataset, config: v.Config<v.BaseIssue<unknown>>) {
      return record['~run'](Array.isArray(dataset.value) ? {...dataset, value: null} : dataset, config)
    },
  } as typeof record
  const least = opts.atLeastOne
  if (!least) return map
  return v.pipe(map, v.check((m) => Object.keys(m as object).length > 0, fixed({kind: 'expected', what: least.what, hint: least.hint})))
}

export function text() {
  const said = fixed({kind: 'expected', what: 'a non-empty string', hint: 'Set {key} to a text value.'})
  return v.pipe(v.string(said), v.check((s) => s.trim() !== '', said))
}

/** A string from a fixed list, with a did-you-mean for a near miss. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return v.picklist(values, (issue) => {
    const near = typeof issue.input === 'string' ? suggest(issue.input, values) : undefined
    return say({kind: 'expected', what: `one of ${values.join(', ')}`, hint: near ? `Did you mean "${near}"?` : `Set {key} to one of: ${values.join(', ')}.`})
  })
}

export function bool() {
  return v.boolean(fixed({kind: 'expected', what: 'true or false', hint: 'Set {key} to true or false (without quotes).'}))
}

export interface NumberRule {
  min?: number
  max?: number
  integer?: boolean
  aboveZero?: boolean
  /** Says what is expected when the bounds alone do not. */
  what?: string
}

export function numberWhat(rule: NumberRule): string {
  return (
    rule.what ??
    [
      rule.integer ? 'an integer' : 'a number',
      rule.aboveZero ? 'greater than 0' : '',
      rule.min !== undefined && rule.max !== undefined ? `from ${rule.min} to ${rule.max}` : '',
      rule.min !== undefined && rule.max === undefined ? `of at least ${rule.min}` : '',
    ]
      .filter(Boolean)
      .join(' ')
  )
}

export function num(rule: NumberRule = {}) {
  const what = numberWhat(rule)
  const typed = fixed({kind: 'expected', what, hint: `Set {key} to ${what} (without quotes).`})
  const ranged = fixed({kind: 'expected', what, hint: `Set {key} to ${what}.`})
  const actions = [
    ...(rule.integer ? [v.safeInteger(ranged)] : [v.finite(ranged)]),
    ...(rule.aboveZero ? [v.gtValue(0, ranged)] : []),
    ...(rule.min !== undefined ? [v.minValue(rule.min, ranged)] : []),
    ...(rule.max !== undefined ? [v.maxValue(rule.max, ranged)] : []),
  ]
  return v.pipe(v.number(typed), ...(actions as unknown as [v.PipeAction<number, number, v.BaseIssue<unknown>>]))
}

/** A duration as written (90s, 2m, 1h30m), read as milliseconds. */
export function duration(opts: {aboveZero?: boolean} = {}) {
  const form = fixed({kind: 'expected', what: `a duration: ${DURATION_FORM}`, hint: 'Write {key} like 90s, 2m or 1h30m.'})
  const zero = fixed({kind: 'expected', what: 'a duration greater than 0s', hint: 'Give {key} a duration above zero, e.g. 5m.'})
  return v.pipe(v.string(form), readAs(msOf, form), v.check((ms) => !opts.aboveZero || ms !== 0, zero))
}

/**
 * A value turned into what `read` makes of it; one it cannot read (undefined) is refused with
 * `message`. One function both checks and converts, so what passes is what was read.
 */
export function readAs<I, O>(read: (value: I) => O | undefined, message: string) {
  return v.rawTransform<I, O>(({dataset, addIssue, NEVER}) => {
    const value = read(dataset.value)
    if (value !== undefined) return value
    addIssue({message})
    return NEVER
  })
}

function msOf(text: string): number | undefined {
  try {
    return parseDuration(text)
  } catch {
    return undefined
  }
}

/** A list; `nonEmpty` refuses `[]`. `example` shows the form in the hint. */
export function list<S extends Any>(item: S, opts: {what: string; example: string; nonEmpty?: boolean}) {
  const notList = fixed({kind: 'expected', what: `a list of ${opts.what}`, hint: `Write {key} as a list, e.g. {key}: ${opts.example}`})
  const empty = fixed({kind: 'expected', what: 'a list with at least one entry', hint: `Add at least one entry, e.g. {key}: ${opts.example}`})
  return v.pipe(v.array(item, notList), v.check((items) => !opts.nonEmpty || items.length > 0, empty))
}

/** A string matching `pattern`, refused with a sentence of its own. */
export function matching(pattern: RegExp, refusal: (value: string) => Said) {
  return v.pipe(
    text(),
    v.rawCheck(({dataset, addIssue}) => {
      if (dataset.typed && !pattern.test(dataset.value)) addIssue({message: say(refusal(dataset.value))})
    }),
  )
}

/** Each string listed once. */
export function unique(what: (value: string) => string) {
  return v.rawCheck<string[]>(({dataset, addIssue}) => {
    if (!dataset.typed) return
    dataset.value.forEach((value, index) => {
      if (dataset.value.indexOf(value) !== index) {
        addIssue({
          message: say({kind: 'problem', text: `{path}: ${what(value)} is listed twice`, hint: 'Remove the duplicate.'}),
          path: [{type: 'array', origin: 'value', input: dataset.value, key: index, value}],
        })
      }
    })
  })
}
