/**
 * Build time only (it imports @valibot/to-json-schema, a devDependency): the JSON Schema of
 * release.yml for editors (docs/schemas/release-yml.json) and the reference tables of
 * docs/config.md, both from the one schema in src/config/schema. `npm run schema` writes them;
 * test/config/editor-schema.test.ts and test/docs/config.test.ts fail when the committed ones are stale.
 */
import {toJsonSchema} from '@valibot/to-json-schema'
import * as v from 'valibot'
import {AUTO_TEMPLATE_WHAT, immutableEntries, incrementalEntries, releaseYml} from '../src/config/schema/index.js'

export type Json = {[key: string]: unknown; properties?: Record<string, Json>; required?: string[]; description?: string; default?: unknown}

type Walked = {
  type?: string
  entries?: Record<string, Walked>
  wrapped?: Walked
  item?: Walked
  value?: Walked
  options?: Walked[]
  default?: unknown
}

/**
 * Puts each key's description and default on its JSON Schema node: to-json-schema drops what
 * follows a transformation in a pipe (the type it describes is then the output's), and our keys
 * carry their description last.
 */
function decorate(schema: Walked, json: Json | undefined): void {
  if (!json || typeof json !== 'object') return
  if (schema.entries && json.properties) {
    for (const [key, entry] of Object.entries(schema.entries)) {
      const node = json.properties[key]
      if (!node) continue
      const description = v.getDescription(entry as never)
      if (description !== undefined) node.description = description
      if (entry.type === 'optional' && entry.default !== undefined && typeof entry.default !== 'function') node.default = entry.default
      decorate(entry, node)
    }
  }
  if (schema.wrapped) decorate(schema.wrapped, json)
  if (schema.item) decorate(schema.item, json.items as Json)
  if (schema.value) decorate(schema.value, json.additionalProperties as Json)
  if (schema.options) schema.options.forEach((option, i) => decorate(option, ((json.oneOf ?? json.anyOf) as Json[] | undefined)?.[i]))
}

function convert(schema: v.GenericSchema): Json {
  const json = toJsonSchema(schema, {errorMode: 'ignore', typeMode: 'input'}) as Json
  decorate(schema, json)
  return json
}

/**
 * An auto target takes the keys of both strategies (those of the strategy not chosen are ignored):
 * where their defaults differ, the description says both.
 */
function autoTarget(): Json {
  const immutable = convert(v.strictObject(immutableEntries))
  const incremental = convert(v.strictObject(incrementalEntries))
  const properties: Record<string, Json> = {}
  const mine = immutable.properties ?? {}
  const theirs = incremental.properties ?? {}
  for (const key of [...new Set([...Object.keys(mine), ...Object.keys(theirs)])]) {
    const a = mine[key]
    const b = theirs[key]
    if (!a || !b) {
      const only = (a ?? b)!
      properties[key] = {...only, description: `${a ? 'Immutable' : 'Incremental'} only: ${only.description ?? ''}`.trim()}
      continue
    }
    if (JSON.stringify(withoutMeta(a)) === JSON.stringify(withoutMeta(b)) && JSON.stringify(a.default) === JSON.stringify(b.default)) {
      properties[key] = a
      continue
    }
    const sameDefault = JSON.stringify(a.default) === JSON.stringify(b.default)
    properties[key] = {
      anyOf: [withoutMeta(a), withoutMeta(b)],
      ...(sameDefault && a.default !== undefined ? {default: a.default} : {}),
      description:
        a.description === b.description
          ? `${a.description ?? ''}${sameDefault ? '' : ` Default ${JSON.stringify(a.default)} when auto chooses immutable, ${JSON.stringify(b.default)} when it chooses incremental.`}`
          : `Immutable: ${a.description ?? ''} Incremental: ${b.description ?? ''}${sameDefault ? '' : ` Default ${JSON.stringify(a.default)} (immutable), ${JSON.stringify(b.default)} (incremental).`}`,
    }
  }
  properties.strategy = {const: 'auto', description: mine.strategy?.description}
  properties.template = {type: 'string', description: AUTO_TEMPLATE_WHAT}
  return {type: 'object', properties, required: ['strategy', 'template'], additionalProperties: false}
}

function withoutMeta(node: Json): Json {
  const {description: _d, default: _f, ...rest} = node
  return rest
}

export function editorSchema(): Json {
  const json = convert(releaseYml)
  const targets = json.properties!.targets as Json
  const variants = ((targets.additionalProperties as Json).oneOf ?? (targets.additionalProperties as Json).anyOf) as Json[]
  variants[2] = autoTarget()
  targets.propertyNames = {type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$'}
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/release/release/docs/schemas/release-yml.json',
    title: 'release.yml',
    description: 'The configuration of `release`: the account, the region and the targets it releases. Generated from src/config/schema by `npm run schema`: do not edit.',
    ...json,
  }
}

/** One Markdown table per section of release.yml: key, type, default, meaning. */
export function referenceTables(schema: Json = editorSchema()): Record<string, string> {
  const top = schema
  const simulated = top.properties!.simulated as Json
  const targets = top.properties!.targets as Json
  const [immutable, incremental, auto] = ((targets.additionalProperties as Json).oneOf ?? (targets.additionalProperties as Json).anyOf) as Json[]
  const change = incremental!.properties!.change as Json
  const fleet = incremental!.properties!.fleet as Json
  return {
    top: table(top),
    state: table(top.properties!.state as Json),
    simulated: table(simulated),
    'simulated.fleets': table((simulated.properties!.fleets as Json).additionalProperties as Json),
    'simulated.targetGroups': table((simulated.properties!.targetGroups as Json).additionalProperties as Json),
    'simulated.documents': table((simulated.properties!.documents as Json).additionalProperties as Json),
    'simulated.faults': table(simulated.properties!.faults as Json),
    immutable: table(immutable!),
    'immutable.timeouts': table(immutable!.properties!.timeouts as Json),
    incremental: table(incremental!),
    'incremental.timeouts': table(incremental!.properties!.timeouts as Json),
    fleet: table(fleet),
    change: table(change),
    auto: table(auto!),
  }
}

function table(section: Json): string {
  const required = new Set(section.required ?? [])
  const rows = Object.entries(section.properties ?? {}).map(([key, node]) => {
    const fallback = required.has(key) ? '**required**' : node.default === undefined ? '—' : `\`${JSON.stringify(node.default)}\``
    return `| \`${key}\` | ${typeOf(node)} | ${fallback} | ${(node.description ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ')} |`
  })
  return ['| key | type | default | meaning |', '|---|---|---|---|', ...rows].join('\n')
}

function typeOf(node: Json): string {
  if (node.const !== undefined) return `\`${String(node.const)}\``
  if (Array.isArray(node.enum)) return node.enum.map((e) => `\`${String(e)}\``).join(' \\| ')
  const union = (node.anyOf ?? node.oneOf) as Json[] | undefined
  if (union) return [...new Set(union.map(typeOf))].join(' or ')
  switch (node.type) {
    case 'array':
      return `list of ${typeOf(node.items as Json).replace(/^(string|number|integer|boolean|mapping)$/, '$1s')}`
    case 'object':
      return node.properties ? 'mapping' : 'mapping of names'
    case 'integer':
      return 'integer'
    default:
      return String(node.type ?? 'any')
  }
}

/** Replaces each `<!-- schema:NAME -->...<!-- /schema -->` block of `markdown` with its table. */
export function withTables(markdown: string, tables: Record<string, string> = referenceTables()): string {
  return markdown.replace(/(<!-- schema:([a-zA-Z.]+) -->\n)[\s\S]*?(<!-- \/schema -->)/g, (whole, open: string, name: string, close: string) => {
    const body = tables[name]
    return body === undefined ? whole : `${open}${body}\n${close}`
  })
}
