import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type CollectionTag,
  type Document,
  type ScalarTag,
} from 'yaml'
import {captured} from '../util/captured.js'
import {validateReferences, type Locate} from './intrinsics.js'
import {TemplateError, type CfnTemplate} from './types.js'

/** CloudFormation's YAML short forms and the long form each stands for. */
const SHORT_FORMS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!Base64': 'Fn::Base64',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!FindInMap': 'Fn::FindInMap',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!If': 'Fn::If',
}

// Each tag may mark a scalar, a sequence or a map. The tags keep the node as it is; toValue reads
// node.tag and builds the long form, so nested short forms need no special handling.
const CUSTOM_TAGS: (ScalarTag | CollectionTag)[] = Object.keys(SHORT_FORMS).flatMap((tag) => [
  {tag, resolve: (value: string) => value},
  {tag, collection: 'seq' as const, resolve: (node: unknown) => node},
  {tag, collection: 'map' as const, resolve: (node: unknown) => node},
])

const TOP_LEVEL = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
])

const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Condition',
  'Metadata',
  'CreationPolicy',
  'UpdatePolicy',
  'Version',
])

/**
 * Parses a JSON or YAML template body into long-form intrinsics, checks its shape and that every
 * reference resolves. Throws TemplateError with CloudFormation's wording and the line when known.
 */
export function parseTemplate(body: string): CfnTemplate {
  if (body.length > MAX_TEMPLATE_CHARS) {
    throw new TemplateError(`Template format error: the template is ${body.length} characters, more than CloudFormation accepts (${MAX_TEMPLATE_CHARS} bytes from S3)`)
  }
  const {value, locate} = body.trimStart().startsWith('{') ? readJson(body) : readYaml(body)
  const template = checkShape(value, locate)
  validateReferences(template, locate)
  return template
}

function readJson(body: string): {value: unknown; locate: Locate} {
  try {
    // JSON is YAML, so the YAML reader finds lines for later errors; parsed only when one is needed.
    return {value: JSON.parse(body), locate: (path) => yamlLocator(body)(path)}
  } catch (error) {
    const {line, column} = jsonErrorPosition(body, error instanceof Error ? error.message : '')
    throw new TemplateError(`Template format error: JSON not well-formed. (line ${line}, column ${column})`, line)
  }
}

/** V8 reports "... at position N" (Node 22 adds "(line L column C)"); the end of input has neither. */
function jsonErrorPosition(body: string, message: string): {line: number; column: number} {
  const explicit = /line (\d+) column (\d+)/.exec(message)
  if (explicit) return {line: Number(captured(explicit, 1)), column: Number(captured(explicit, 2))}
  const position = /at position (\d+)/.exec(message)
  const before = body.slice(0, position ? Number(captured(position, 1)) : body.length)
  const lineStart = before.lastIndexOf('\n') + 1
  return {line: before.split('\n').length, column: before.length - lineStart + 1}
}

function readYaml(body: string): {value: unknown; locate: Locate} {
  const lineCounter = new LineCounter()
  let doc: Document
  try {
    doc = parseDocument(body, {customTags: CUSTOM_TAGS, lineCounter, prettyErrors: false})
  } catch (error) {
    // Nesting deep enough to exhaust the parser's stack is no template.
    if (error instanceof RangeError) throw new TemplateError(`Template format error: the template nests too deeply to be read`)
    throw error
  }
  const error = doc.errors[0]
  if (error) {
    const {line, col} = lineCounter.linePos(error.pos[0])
    throw new TemplateError(`Template format error: YAML not well-formed. (line ${line}, column ${col})`, line)
  }
  return {value: toValue(doc.contents, doc), locate: locator(doc, lineCounter)}
}

function yamlLocator(body: string): Locate {
  const lineCounter = new LineCounter()
  return locator(parseDocument(body, {lineCounter, prettyErrors: false}), lineCounter)
}

/** Line of the key at the end of `path`, or of the deepest key found on the way. */
function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path) => {
    let node: unknown = doc.contents
    let line: number | undefined
    for (const segment of path) {
      if (!isMap(node)) break
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment)
      if (!pair) break
      const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined
      if (offset !== undefined) line = lineCounter.linePos(offset).line
      node = pair.value
    }
    return line
  }
}

/**
 * The largest template CloudFormation takes (1 MB, through S3; 51,200 bytes inline): anything longer
 * is refused before it is parsed.
 */
export const MAX_TEMPLATE_CHARS = 1_048_576
/** Values built from one template, aliases expanded: a few aliases nested can stand for billions. */
export const MAX_TEMPLATE_NODES = 500_000
/** Nesting of maps and sequences, aliases followed: deeper is no template, and would exhaust the stack. */
export const MAX_TEMPLATE_DEPTH = 200

/** Plain JavaScript from the YAML tree, with every short-form tag turned into its long form. */
function toValue(node: unknown, doc: Document, budget = {nodes: 0}, depth = 0): unknown {
  if (++budget.nodes > MAX_TEMPLATE_NODES) {
    throw new TemplateError(`Template format error: the template expands to more than ${MAX_TEMPLATE_NODES} values (YAML aliases expanding aliases?)`)
  }
  if (depth > MAX_TEMPLATE_DEPTH) throw new TemplateError(`Template format error: the template nests deeper than ${MAX_TEMPLATE_DEPTH} levels`)
  if (isAlias(node)) return toValue(node.resolve(doc), doc, budget, depth + 1)
  let value: unknown = null
  if (isScalar(node)) value = node.value
  else if (isSeq(node)) value = node.items.map((item) => toValue(item, doc, budget, depth + 1))
  else if (isMap(node)) {
    const map: Record<string, unknown> = {}
    for (const pair of node.items) {
      map[String(isScalar(pair.key) ? pair.key.value : pair.key)] = toValue(pair.value, doc, budget, depth + 1)
    }
    value = map
  }
  const tag = isScalar(node) || isSeq(node) || isMap(node) ? node.tag : undefined
  const longForm = tag === undefined ? undefined : SHORT_FORMS[tag]
  if (longForm === undefined) return value
  // !GetAtt Web.Arn is the scalar spelling of [Web, Arn]; attribute names may contain dots.
  if (longForm === 'Fn::GetAtt' && typeof value === 'string' && value.includes('.')) {
    const dot = value.indexOf('.')
    return {[longForm]: [value.slice(0, dot), value.slice(dot + 1)]}
  }
  return {[longForm]: value ?? ''}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const ALPHANUMERIC = /^[A-Za-z0-9]+$/
const RESOURCE_TYPE = /^[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)*$/
const PARAMETER_TYPE = /^(String|Number|List<Number>|CommaDelimitedList|AWS::.+|List<AWS::.+>)$/

function checkShape(value: unknown, locate: Locate): CfnTemplate {
  const fail = (message: string, path: string[] = []): never => {
    throw new TemplateError(`Template format error: ${message}`, path.length > 0 ? locate(path) : undefined)
  }
  if (!isObject(value)) return fail('unsupported structure.')

  const unknown = Object.keys(value).filter((key) => !TOP_LEVEL.has(key))
  const [firstUnknown] = unknown
  if (firstUnknown !== undefined) fail(`Invalid template property or properties [${unknown.join(', ')}]`, [firstUnknown])
  const version = value.AWSTemplateFormatVersion
  if (version !== undefined && version !== '2010-09-09') {
    fail(`Unsupported template format version ${String(version)}; the only valid version is 2010-09-09`, ['AWSTemplateFormatVersion'])
  }
  for (const section of ['Parameters', 'Outputs', 'Conditions', 'Mappings']) {
    const entries = value[section]
    if (entries !== undefined && !isObject(entries)) fail(`[/${section}] ${section} must be a map`, [section])
  }

  const resources = value.Resources
  if (!isObject(resources) || Object.keys(resources).length === 0) {
    return fail('At least one Resources member must be defined.', ['Resources'])
  }
  const unrecognizedTypes: string[] = []
  for (const [id, resource] of Object.entries(resources)) {
    const path = ['Resources', id]
    if (!ALPHANUMERIC.test(id)) fail(`Resource name ${id} is non alphanumeric.`, path)
    if (!isObject(resource) || typeof resource.Type !== 'string') {
      return fail(`[/Resources/${id}] Every Resources object must contain a Type member.`, path)
    }
    // Catches misspelt attributes such as "Propertes", which would otherwise be silently ignored.
    const attribute = Object.keys(resource).find((key) => !RESOURCE_ATTRIBUTES.has(key))
    if (attribute !== undefined) fail(`[/Resources/${id}] Invalid template resource property '${attribute}'`, [...path, attribute])
    if (resource.Properties !== undefined && !isObject(resource.Properties)) {
      fail(`[/Resources/${id}/Properties] Properties must be a map`, [...path, 'Properties'])
    }
    if (!RESOURCE_TYPE.test(resource.Type)) unrecognizedTypes.push(resource.Type)
  }
  if (unrecognizedTypes.length > 0) fail(`Unrecognized resource types: [${[...new Set(unrecognizedTypes)].join(', ')}]`)

  const parameters = (value.Parameters ?? {}) as Record<string, unknown>
  for (const [key, parameter] of Object.entries(parameters)) {
    const path = ['Parameters', key]
    if (!ALPHANUMERIC.test(key)) fail(`Parameter name ${key} is non alphanumeric.`, path)
    if (!isObject(parameter) || typeof parameter.Type !== 'string') {
      return fail(`[/Parameters/${key}] Every Parameters object must contain a Type member.`, path)
    }
    if (!PARAMETER_TYPE.test(parameter.Type)) fail(`Unrecognized parameter type: ${parameter.Type}`, path)
  }

  const outputs = (value.Outputs ?? {}) as Record<string, unknown>
  for (const [key, output] of Object.entries(outputs)) {
    const path = ['Outputs', key]
    if (!ALPHANUMERIC.test(key)) fail(`Output name ${key} is non alphanumeric.`, path)
    if (!isObject(output) || output.Value === undefined || output.Value === null) {
      fail(`[/Outputs/${key}] Every Outputs member must contain a Value object`, path)
    }
  }

  return {...value, Parameters: parameters, Resources: resources, Outputs: outputs} as unknown as CfnTemplate
}
