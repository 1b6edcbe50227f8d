import {captured} from '../util/captured.js'
import {TemplateError, type CfnTemplate, type EvaluationContext} from './types.js'

/** Returns the 1-based line of a path in the template source (e.g. ['Resources', 'Web']), when known. */
export type Locate = (path: string[]) => number | undefined

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
])

/** What Ref AWS::NoValue evaluates to: the enclosing key or list element is dropped. */
const NO_VALUE = Symbol('AWS::NoValue')

const SUB_ARGUMENTS_ERROR =
  "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Own entries only: a template naming "constructor" or "toString" must not reach Object.prototype. */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined
}

/**
 * An intrinsic function call is a map with exactly one key naming the function. `Condition` is a
 * function only inside condition expressions: elsewhere it is an ordinary key (IAM policy statements).
 */
function asCall(value: unknown, inCondition = false): {fn: string; arg: unknown} | undefined {
  if (!isObject(value)) return undefined
  const [fn, ...others] = Object.keys(value)
  if (fn === undefined || others.length > 0) return undefined
  if (fn === 'Ref' || fn.startsWith('Fn::') || (inCondition && fn === 'Condition')) return {fn, arg: value[fn]}
  return undefined
}

function unresolved(names: string[], block = 'Resources'): TemplateError {
  return new TemplateError(
    `Template format error: Unresolved resource dependencies [${names.join(', ')}] in the ${block} block of the template`,
  )
}

function refName(arg: unknown): string {
  if (typeof arg !== 'string') throw new TemplateError('Template format error: Every Ref object must have a single String value.')
  return arg
}

/** Fn::GetAtt takes [LogicalId, Attribute] or "LogicalId.Attribute"; attributes may themselves contain dots. */
function getAttArgs(arg: unknown): [string, unknown] {
  if (typeof arg === 'string' && arg.includes('.')) {
    const dot = arg.indexOf('.')
    return [arg.slice(0, dot), arg.slice(dot + 1)]
  }
  if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && arg[0] !== '') return [arg[0], arg[1]]
  throw new TemplateError('Template error: every Fn::GetAtt object requires two non-empty parameters')
}

function subArgs(arg: unknown): {text: string; vars: Record<string, unknown>} {
  if (typeof arg === 'string') return {text: arg, vars: {}}
  if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && isObject(arg[1])) {
    return {text: arg[0], vars: arg[1]}
  }
  throw new TemplateError(SUB_ARGUMENTS_ERROR)
}

type SubPart = {literal: string} | {variable: string}

/** Splits a Fn::Sub string into literal text and ${Variable} names; ${!Text} is the literal "${Text}". */
function subParts(text: string): SubPart[] {
  const parts: SubPart[] = []
  let last = 0
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    parts.push({literal: text.slice(last, match.index)})
    last = match.index + match[0].length
    const inner = captured(match, 1)
    if (inner.startsWith('!')) {
      parts.push({literal: '${' + inner.slice(1) + '}'})
      continue
    }
    const variable = inner.trim()
    if (!/^[A-Za-z0-9_.:]+$/.test(variable)) {
      throw new TemplateError(
        'Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons',
      )
    }
    parts.push({variable})
  }
  parts.push({literal: text.slice(last)})
  return parts
}

// ---------------------------------------------------------------------------------------------
// Static analysis: what a value refers to.

interface Reference {
  name: string
  /** Ref and Fn::Sub ${Name} accept parameters too; GetAtt and ${Name.Attr} only resources. */
  kind: 'Ref' | 'GetAtt' | 'SubAttr'
}

interface Found {
  refs: Reference[]
  conditions: string[]
}

function collect(value: unknown, found: Found, inCondition = false): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, found, inCondition)
    return
  }
  const call = asCall(value, inCondition)
  if (!call) {
    if (isObject(value)) for (const item of Object.values(value)) collect(item, found, inCondition)
    return
  }
  const {fn, arg} = call
  switch (fn) {
    case 'Ref':
      found.refs.push({name: refName(arg), kind: 'Ref'})
      return
    case 'Condition':
      if (typeof arg === 'string') found.conditions.push(arg)
      return
    case 'Fn::GetAtt': {
      const [name, attribute] = getAttArgs(arg)
      found.refs.push({name, kind: 'GetAtt'})
      collect(attribute, found)
      return
    }
    case 'Fn::Sub': {
      const {text, vars} = subArgs(arg)
      for (const part of subParts(text)) {
        if (!('variable' in part) || Object.hasOwn(vars, part.variable)) continue
        const dot = part.variable.indexOf('.')
        found.refs.push(
          dot < 0 ? {name: part.variable, kind: 'Ref'} : {name: part.variable.slice(0, dot), kind: 'SubAttr'},
        )
      }
      collect(Object.values(vars), found)
      return
    }
    case 'Fn::If':
      if (Array.isArray(arg) && typeof arg[0] === 'string') found.conditions.push(arg[0])
      collect(Array.isArray(arg) ? arg.slice(1) : arg, found)
      return
    case 'Fn::Equals':
    case 'Fn::Not':
    case 'Fn::And':
    case 'Fn::Or':
      collect(arg, found, true)
      return
    default:
      collect(arg, found)
  }
}

function referencesIn(...values: unknown[]): Found {
  const found: Found = {refs: [], conditions: []}
  for (const value of values) collect(value, found)
  return found
}

function dependsOnList(dependsOn: unknown): string[] {
  if (dependsOn === undefined) return []
  const list = Array.isArray(dependsOn) ? dependsOn : [dependsOn]
  if (!list.every((item): item is string => typeof item === 'string')) {
    throw new TemplateError('Template format error: DependsOn must be a string or list of strings.')
  }
  return list
}

/**
 * Logical ids of the resources one resource waits for: its DependsOn plus every resource it names
 * with Ref, Fn::GetAtt or Fn::Sub in Properties or Metadata (both branches of Fn::If count, as
 * CloudFormation decides order before conditions are known). Declaration order, no duplicates.
 */
export function dependenciesOf(template: CfnTemplate, logicalId: string): string[] {
  const resource = own(template.Resources, logicalId)
  if (!resource) throw unresolved([logicalId])
  const {refs} = referencesIn(resource.Properties, resource.Metadata)
  const names = [...dependsOnList(resource.DependsOn), ...refs.map((ref) => ref.name)]
  return [...new Set(names.filter((name) => Object.hasOwn(template.Resources, name)))]
}

/** Logical ids in creation order: each after what it depends on, otherwise in declaration order. */
export function creationOrder(template: CfnTemplate): string[] {
  const resources: Waiting[] = Object.keys(template.Resources).map((id) => ({id, dependsOn: dependenciesOf(template, id)}))
  const order: string[] = []
  const placed = new Set<string>()
  while (order.length < resources.length) {
    const next = resources.find(({id, dependsOn}) => !placed.has(id) && dependsOn.every((dep) => placed.has(dep)))
    if (next === undefined) throw circular(resources.filter(({id}) => !placed.has(id)))
    order.push(next.id)
    placed.add(next.id)
  }
  return order
}

/** A resource and the ones it waits for. */
interface Waiting {
  id: string
  dependsOn: string[]
}

/** Names only the resources on a cycle (or between cycles), not everything blocked behind one. */
function circular(blocked: Waiting[]): TemplateError {
  let members = blocked
  for (;;) {
    const required = new Set(members.flatMap(({dependsOn}) => dependsOn))
    const kept = members.filter(({id}) => required.has(id))
    if (kept.length === members.length) break
    members = kept
  }
  return new TemplateError(`Template format error: Circular dependency between resources: [${members.map(({id}) => id).join(', ')}]`)
}

/**
 * Checks, like CloudFormation does before creating anything, that every Ref, Fn::GetAtt, Fn::Sub
 * variable, DependsOn and condition name refers to something the template declares.
 */
export function validateReferences(template: CfnTemplate, locate: Locate = () => undefined): void {
  const parameters = new Set(Object.keys(template.Parameters))
  const resources = new Set(Object.keys(template.Resources))
  const conditions = new Set(Object.keys(template.Conditions ?? {}))
  const isKnown = (ref: Reference) =>
    ref.kind === 'Ref'
      ? parameters.has(ref.name) || resources.has(ref.name) || PSEUDO_PARAMETERS.has(ref.name)
      : resources.has(ref.name)

  // Errors from malformed intrinsics carry the line of the entry they were found in.
  const at = <T>(path: string[], check: () => T): T => {
    try {
      return check()
    } catch (error) {
      if (error instanceof TemplateError && error.line === undefined) throw new TemplateError(error.message, locate(path))
      throw error
    }
  }
  // CloudFormation names every unresolved name of a block at once.
  const reportUnresolved = (block: string, problems: {name: string; path: string[]}[]) => {
    const first = problems[0]
    if (!first) return
    const names = [...new Set(problems.map((problem) => problem.name))]
    throw new TemplateError(unresolved(names, block).message, locate(first.path))
  }
  const checkConditionNames = (block: string, path: string[], names: string[]) => {
    const unknown = names.filter((name) => !conditions.has(name))
    if (unknown.length > 0) {
      throw new TemplateError(
        `Template format error: Unresolved condition dependencies [${unknown.join(', ')}] in the ${block} block of the template`,
        locate(path),
      )
    }
  }

  for (const [block, entries] of [
    ['Resources', template.Resources],
    ['Outputs', template.Outputs],
  ] as const) {
    const problems: {name: string; path: string[]}[] = []
    for (const [id, entry] of Object.entries(entries)) {
      const path = [block, id]
      // Resources hold intrinsics in Properties and Metadata, outputs in Value and Export.
      const resource = entry as Record<string, unknown>
      const found = at(path, () => referencesIn(resource.Properties, resource.Metadata, resource.Value, resource.Export))
      const getAtt = found.refs.find((ref) => ref.kind === 'GetAtt' && !resources.has(ref.name))
      if (getAtt) {
        throw new TemplateError(`Template error: instance of Fn::GetAtt references undefined resource ${getAtt.name}`, locate(path))
      }
      for (const ref of found.refs) if (!isKnown(ref)) problems.push({name: ref.name, path})
      for (const name of at(path, () => dependsOnList(resource.DependsOn))) {
        if (!resources.has(name)) problems.push({name, path})
      }
      const attribute = typeof resource.Condition === 'string' ? [resource.Condition] : []
      checkConditionNames(block, path, [...attribute, ...found.conditions])
    }
    reportUnresolved(block, problems)
  }

  for (const [name, expression] of Object.entries(template.Conditions ?? {})) {
    const path = ['Conditions', name]
    const found = at(path, () => {
      const result: Found = {refs: [], conditions: []}
      collect(expression, result, true)
      return result
    })
    const invalid = found.refs.filter((ref) => ref.kind !== 'Ref' || !(parameters.has(ref.name) || PSEUDO_PARAMETERS.has(ref.name)))
    if (invalid.length > 0) {
      const names = [...new Set(invalid.map((ref) => ref.name))]
      throw new TemplateError(
        `Template format error: Unresolved dependencies [${names.join(', ')}]. Cannot reference resources in the Conditions block of the template`,
        locate(path),
      )
    }
    checkConditionNames('Conditions', path, found.conditions)
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

interface Scope {
  template: CfnTemplate
  ctx: EvaluationContext
  /** Condition results, computed once per evaluation. */
  conditions: Map<string, boolean>
  /** Conditions being computed, to refuse a condition that refers to itself. */
  pending: Set<string>
}

function newScope(template: CfnTemplate, ctx: EvaluationContext): Scope {
  return {template, ctx, conditions: new Map(), pending: new Set()}
}

/**
 * Deep-evaluates intrinsic functions in a value (resource properties, output values...). A value
 * that is entirely Ref AWS::NoValue evaluates to undefined.
 */
export function evaluate(value: unknown, template: CfnTemplate, ctx: EvaluationContext): unknown {
  const result = evaluateIn(value, newScope(template, ctx))
  return result === NO_VALUE ? undefined : result
}

/** Whether a named condition of the template holds, e.g. to skip a resource whose Condition is false. */
export function evaluateCondition(name: string, template: CfnTemplate, ctx: EvaluationContext): boolean {
  return conditionHolds(name, newScope(template, ctx))
}

function evaluateIn(value: unknown, scope: Scope): unknown {
  if (Array.isArray(value)) return value.map((item) => evaluateIn(item, scope)).filter((item) => item !== NO_VALUE)
  const call = asCall(value)
  if (call) return evaluateCall(call.fn, call.arg, scope)
  if (!isObject(value)) return value
  const result: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    const evaluated = evaluateIn(item, scope)
    if (evaluated !== NO_VALUE) result[key] = evaluated
  }
  return result
}

function evaluateCall(fn: string, arg: unknown, scope: Scope): unknown {
  switch (fn) {
    case 'Ref':
      return ref(refName(arg), scope)
    case 'Fn::GetAtt': {
      const [name, attribute] = getAttArgs(arg)
      if (!Object.hasOwn(scope.template.Resources, name)) {
        throw new TemplateError(`Template error: instance of Fn::GetAtt references undefined resource ${name}`)
      }
      return scope.ctx.attribute(name, text(evaluateIn(attribute, scope), 'Fn::GetAtt'))
    }
    case 'Fn::Sub':
      return sub(arg, scope)
    case 'Fn::Join': {
      const args = evaluateIn(arg, scope)
      if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string' || !Array.isArray(args[1])) {
        throw new TemplateError(
          'Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.',
        )
      }
      const [delimiter, items] = args as [string, unknown[]]
      return items.map((item) => text(item, 'Fn::Join')).join(delimiter)
    }
    case 'Fn::Select': {
      const args = evaluateIn(arg, scope)
      const index = Array.isArray(args) ? Number(args[0]) : NaN
      if (!Array.isArray(args) || args.length !== 2 || !Array.isArray(args[1]) || !Number.isInteger(index)) {
        throw new TemplateError('Template error: Fn::Select requires a list argument with two elements: an integer index and a list')
      }
      const list = args[1] as unknown[]
      if (index < 0 || index >= list.length) {
        throw new TemplateError(`Template error: Fn::Select cannot select nonexistent value at index ${index}`)
      }
      return list[index]
    }
    case 'Fn::Split': {
      const args = evaluateIn(arg, scope)
      if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string' || typeof args[1] !== 'string') {
        throw new TemplateError('Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split')
      }
      return args[1].split(args[0])
    }
    case 'Fn::Base64':
      return Buffer.from(text(evaluateIn(arg, scope), 'Fn::Base64'), 'utf8').toString('base64')
    case 'Fn::FindInMap':
      return findInMap(evaluateIn(arg, scope), scope)
    case 'Fn::GetAZs': {
      const region = evaluateIn(arg, scope)
      const name = typeof region === 'string' && region !== '' ? region : scope.ctx.region
      return [`${name}a`, `${name}b`, `${name}c`]
    }
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') {
        throw new TemplateError('Template error: Fn::If requires a list argument with three elements: a condition name, a value if true and a value if false')
      }
      return evaluateIn(conditionHolds(arg[0], scope) ? arg[1] : arg[2], scope)
    }
    case 'Fn::Equals':
    case 'Fn::Not':
    case 'Fn::And':
    case 'Fn::Or':
      return holds({[fn]: arg}, scope)
    default:
      // Fn::ImportValue needs other stacks' exports; Fn::Cidr, Fn::Length... are not modelled.
      throw new TemplateError(`Template error: ${fn} is not supported by the simulated account`)
  }
}

function ref(name: string, scope: Scope): unknown {
  const {template, ctx} = scope
  switch (name) {
    case 'AWS::StackName':
      return ctx.stackName
    case 'AWS::StackId':
      return ctx.stackId
    case 'AWS::Region':
      return ctx.region
    case 'AWS::AccountId':
      return ctx.accountId
    case 'AWS::Partition':
      return ctx.region.startsWith('cn-') ? 'aws-cn' : ctx.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws'
    case 'AWS::URLSuffix':
      return ctx.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
    case 'AWS::NotificationARNs':
      return []
    case 'AWS::NoValue':
      return NO_VALUE
  }
  const parameter = own(template.Parameters, name)
  if (parameter) {
    const value = own(ctx.parameters, name)
    if (value === undefined) throw new TemplateError(`Parameters: [${name}] must have values`)
    // List parameters are lists to Ref (CloudFormation trims each member).
    const isList = parameter.Type === 'CommaDelimitedList' || parameter.Type.startsWith('List<')
    return isList ? value.split(',').map((item) => item.trim()) : value
  }
  if (Object.hasOwn(template.Resources, name)) return ctx.physicalId(name)
  throw unresolved([name])
}

function sub(arg: unknown, scope: Scope): string {
  const {text: source, vars} = subArgs(arg)
  const values = new Map(Object.entries(vars).map(([key, value]) => [key, evaluateIn(value, scope)]))
  return subParts(source)
    .map((part) => {
      if ('literal' in part) return part.literal
      const name = part.variable
      const dot = name.indexOf('.')
      let value: unknown
      if (values.has(name)) value = values.get(name)
      else if (dot < 0) value = ref(name, scope)
      else if (Object.hasOwn(scope.template.Resources, name.slice(0, dot))) {
        value = scope.ctx.attribute(name.slice(0, dot), name.slice(dot + 1))
      } else throw unresolved([name.slice(0, dot)])
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
      throw new TemplateError(`Template error: variable ${name} in Fn::Sub expression does not resolve to a string`)
    })
    .join('')
}

function findInMap(args: unknown, scope: Scope): unknown {
  if (!Array.isArray(args) || args.length !== 3 || !args.every((item) => typeof item === 'string')) {
    throw new TemplateError('Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value')
  }
  const [mapName, topKey, secondKey] = args as [string, string, string]
  const mapping = own(scope.template.Mappings, mapName)
  if (!isObject(mapping)) {
    throw new TemplateError(`Template error: Mapping named '${mapName}' is not present in the 'Mappings' section of template.`)
  }
  const top = own(mapping, topKey)
  const value = isObject(top) ? own(top, secondKey) : undefined
  if (value === undefined) throw new TemplateError(`Template error: Unable to get mapping for ${mapName}::${topKey}::${secondKey}`)
  return value
}

/** Scalars joined into strings, as CloudFormation does with numbers and booleans written in YAML. */
function text(value: unknown, fn: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new TemplateError(`Template error: every ${fn} value must be a string`)
}

function conditionHolds(name: string, scope: Scope): boolean {
  const known = scope.conditions.get(name)
  if (known !== undefined) return known
  const expression = own(scope.template.Conditions, name)
  if (expression === undefined) throw new TemplateError(`Template error: unresolved condition dependency ${name} in Fn::If`)
  if (scope.pending.has(name)) {
    throw new TemplateError(`Template format error: Circular dependency between conditions: [${[...scope.pending].join(', ')}]`)
  }
  scope.pending.add(name)
  const result = holds(expression, scope)
  scope.pending.delete(name)
  scope.conditions.set(name, result)
  return result
}

function holds(expression: unknown, scope: Scope): boolean {
  const call = asCall(expression, true)
  const args = call?.arg
  switch (call?.fn) {
    case 'Condition':
      if (typeof args === 'string') return conditionHolds(args, scope)
      break
    case 'Fn::Equals':
      if (Array.isArray(args) && args.length === 2) {
        // YAML may write one side as a number or boolean and a parameter is always a string: compare as text.
        const [left, right] = args.map((item) => {
          const value = evaluateIn(item, scope)
          return JSON.stringify(typeof value === 'number' || typeof value === 'boolean' ? String(value) : value)
        })
        return left === right
      }
      break
    case 'Fn::Not':
      if (Array.isArray(args) && args.length === 1) return !holds(args[0], scope)
      break
    case 'Fn::And':
      if (Array.isArray(args) && args.length >= 2) return args.every((item) => holds(item, scope))
      break
    case 'Fn::Or':
      if (Array.isArray(args) && args.length >= 2) return args.some((item) => holds(item, scope))
      break
  }
  throw new TemplateError(
    'Template error: every condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition with the right arguments',
  )
}
