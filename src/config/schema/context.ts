/**
 * What the cross-field rules need besides release.yml itself: the templates it names, read and
 * parsed beforehand (reading files is async, the schema runs synchronously after). It travels in
 * valibot's config object, which valibot hands unchanged to every action, so the schema stays one
 * static value (the JSON Schema and the types come from the same one).
 */
import * as v from 'valibot'
import type {CfnTemplate} from '../../template/index.js'
import {say, type Said} from './say.js'

export interface LoadedTemplate {
  /** Absolute. */
  path: string
  body: string
  /** As shown in messages. */
  shown: string
  template: CfnTemplate
}

export interface SchemaContext {
  /** Templates by the `template:` value as written; absent when it could not be read (already reported). */
  templates: Map<string, LoadedTemplate>
}

export interface ContextConfig extends v.Config<v.BaseIssue<unknown>> {
  context: SchemaContext
}

type Key = string | number

/** Tells the user about a problem at `keys` below the value being checked. */
export type Tell = (said: Said, keys?: Key[]) => void

/**
 * A rule across keys, run once the value has the right form. Without a context (the JSON Schema
 * script, or a schema used alone) the rules that need templates are skipped by their own code.
 */
export function refine<T>(rule: (value: T, tell: Tell, context: SchemaContext | undefined) => void) {
  return v.rawCheck<T>(({dataset, config, addIssue}) => {
    if (!dataset.typed) return
    const tell: Tell = (said, keys = []) => {
      let input: unknown = dataset.value
      const path = keys.map((k) => {
        const value = (input as Record<Key, unknown> | undefined)?.[k]
        const item = {type: typeof k === 'number' ? 'array' : 'object', origin: 'value', input, key: k, value}
        input = value
        return item
      }) as unknown as [v.IssuePathItem]
      addIssue({message: say(said), ...(keys.length > 0 ? {path} : {})})
    }
    rule(dataset.value, tell, (config as Partial<ContextConfig>).context)
  })
}

/**
 * Runs a schema with the context. Not v.safeParse: it rebuilds the config from the fields valibot
 * knows, which would drop the context.
 */
export function runWithContext<S extends v.GenericSchema>(schema: S, value: unknown, context: SchemaContext | undefined) {
  const config = {abortEarly: false, ...(context ? {context} : {})} as v.Config<v.BaseIssue<unknown>>
  return schema['~run']({value}, config) as v.OutputDataset<v.InferOutput<S>, v.BaseIssue<unknown>>
}

/** An issue that only marks a value refused, told elsewhere (e.g. a template that could not be read). */
export const TOLD_ELSEWHERE = '{"kind":"toldElsewhere"}'
