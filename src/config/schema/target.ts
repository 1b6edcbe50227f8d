/**
 * A target: its `strategy` picks which keys it has. `auto` reads the template first, chooses, then
 * validates the target as the chosen strategy (the other strategy's settings are allowed and ignored).
 */
import * as v from 'valibot'
import {chooseStrategy} from '../../../strategies/choose.js'
import {suggest} from '../suggest.js'
import {IMMUTABLE_GATES, INCREMENTAL_GATES, STRATEGIES, TEMPLATE_WHAT, strategy, template} from './common.js'
import {runWithContext, TOLD_ELSEWHERE, type ContextConfig} from './context.js'
import {section} from './fields.js'
import {immutableEntries, immutableRules} from './immutable.js'
import {incrementalEntries, incrementalRules} from './incremental.js'
import {heard, say} from './say.js'

const IMMUTABLE_KEYS = Object.keys(immutableEntries)
const INCREMENTAL_KEYS = Object.keys(incrementalEntries)
/** An auto target may carry the settings of both strategies: those of the one not chosen are ignored. */
export const AUTO_KEYS = [...new Set([...IMMUTABLE_KEYS, ...INCREMENTAL_KEYS])]

const other = (strategy: string, own: string[], theirs: string[]) => ({strategy, keys: theirs.filter((k) => !own.includes(k))})

export const immutableTarget = v.pipe(section(immutableEntries, {other: other('incremental', IMMUTABLE_KEYS, INCREMENTAL_KEYS)}), immutableRules)
export const incrementalTarget = v.pipe(section(incrementalEntries, {other: other('immutable', INCREMENTAL_KEYS, IMMUTABLE_KEYS)}), incrementalRules)

export type ImmutableOutput = v.InferOutput<typeof immutableTarget>
export type IncrementalOutput = v.InferOutput<typeof incrementalTarget>

export const AUTO_TEMPLATE_WHAT = `${TEMPLATE_WHAT}; strategy auto chooses from its resources.`

/** The keys of an auto target as written; each is checked once the strategy is chosen. */
export const autoEntries = {
  ...Object.fromEntries(AUTO_KEYS.map((k) => [k, v.optional(v.unknown())])),
  strategy: strategy('auto'),
  template: template(AUTO_TEMPLATE_WHAT),
}

const autoTarget = v.pipe(
  section(autoEntries),
  v.rawTransform(({dataset, config, addIssue, NEVER}) => {
    const written = dataset.value
    const context = (config as unknown as Partial<ContextConfig>).context
    const loaded = context?.templates.get(written.template)
    if (!loaded) {
      // No template to choose from: told where it was read.
      addIssue({message: TOLD_ELSEWHERE})
      return NEVER
    }
    const verdict = chooseStrategy(loaded.template.Resources ?? {})
    const chosen = verdict.strategy
    const [entries, schema, gates, steps] =
      chosen === 'immutable'
        ? [immutableEntries, immutableTarget, IMMUTABLE_GATES as readonly string[], Object.keys(immutableEntries.timeouts.pipe[0].wrapped.entries)]
        : [incrementalEntries, incrementalTarget, INCREMENTAL_GATES as readonly string[], Object.keys(incrementalEntries.timeouts.pipe[0].wrapped.entries)]
    const allGates = [...IMMUTABLE_GATES, ...INCREMENTAL_GATES] as string[]
    const allSteps = [...Object.keys(immutableEntries.timeouts.pipe[0].wrapped.entries), ...Object.keys(incrementalEntries.timeouts.pipe[0].wrapped.entries)]
    const input: Record<string, unknown> = {}
    for (const [k, value] of Object.entries(written as Record<string, unknown>)) if (k in entries) input[k] = value
    input.strategy = chosen
    if (Array.isArray(input.gates)) input.gates = input.gates.filter((g) => gates.includes(g as string) || !allGates.includes(g as string))
    if (input.timeouts && typeof input.timeouts === 'object' && !Array.isArray(input.timeouts)) {
      input.timeouts = Object.fromEntries(Object.entries(input.timeouts).filter(([step]) => steps.includes(step) || !allSteps.includes(step)))
    }
    const result = runWithContext(schema as v.GenericSchema<unknown, ImmutableOutput | IncrementalOutput>, input, context)
    const note = `(strategy auto chose ${chosen} for target {target}: ${verdict.reason}.)`
    for (const issue of result.issues ?? []) {
      const said = heard(issue.message)
      addIssue({message: said ? say({...said, note}) : issue.message, ...(issue.path ? {path: issue.path} : {}), input: issue.input})
    }
    if (result.issues || !result.typed) return NEVER
    return {...result.value, declared: 'auto' as const}
  }),
)

const strategyRefused = (issue: v.BaseIssue<unknown>) => {
  if (!issue.path) return say({kind: 'expected', what: 'a mapping of keys to values', hint: 'Write {key} as indented "key: value" lines.'})
  if (issue.input === undefined || issue.input === null) return say({kind: 'missing', key: 'strategy', what: 'immutable, incremental or auto'})
  const near = typeof issue.input === 'string' ? suggest(issue.input, STRATEGIES) : undefined
  return say({kind: 'expected', what: `one of ${STRATEGIES.join(', ')}`, hint: near ? `Did you mean "${near}"?` : `Set {key} to one of: ${STRATEGIES.join(', ')}.`})
}

export const target = v.variant(
  'strategy',
  [
    v.pipe(immutableTarget, v.transform((t) => ({...t, declared: 'immutable' as const}))),
    v.pipe(incrementalTarget, v.transform((t) => ({...t, declared: 'incremental' as const}))),
    autoTarget,
  ],
  strategyRefused,
)

export type TargetOutput = v.InferOutput<typeof target>
