import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type YAMLMap} from 'yaml'
import {isUserError} from '../errors.js'
import {parseTemplate, type CfnTemplate} from '../template/index.js'
import {ConfigError, displayPath} from './errors.js'
import {DURATION_FORM, parseDuration} from './duration.js'
import {suggest} from './suggest.js'
import type {ImmutableTargetConfig, ReleaseConfig, SimulatedConfig, TargetConfig} from './types.js'

export const TARGET_NAME = /^[a-z][a-z0-9-]{0,31}$/
/** arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex digits> */
export const TARGET_GROUP_ARN =
  /^arn:aws(?:-[a-z]+)*:elasticloadbalancing:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:targetgroup\/[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?\/[0-9a-f]{16}$/
const TARGET_GROUP_ARN_FORM = 'arn:aws:elasticloadbalancing:<region>:<12-digit account>:targetgroup/<name>/<16 hex digits>'
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/

const TOP_KEYS = ['account', 'region', 'stateDir', 'simulated', 'targets'] as const
const SIMULATED_KEYS = ['speed', 'seed', 'faults'] as const
const TARGET_KEYS = [
  'strategy',
  'template',
  'versionParameter',
  'parameters',
  'trafficSources',
  'retain',
  'bake',
  'verify',
  'timeouts',
] as const
const TIMEOUT_DEFAULTS = {provision: '15m', capacity: '10m', verify: '5m', shift: '10m', retire: '15m'} as const
const THROTTLE_SERVICES = ['cloudformation', 'autoscaling', 'ssm'] as const

export const DEFAULTS = {
  account: 'simulated',
  region: 'us-east-1',
  stateDir: '.release',
  speed: 20,
  seed: 1,
  versionParameter: 'Version',
  retain: 1,
  bake: '2m',
  timeouts: TIMEOUT_DEFAULTS,
} as const

/** One key of a mapping: where it is and its value (null when absent or written empty). */
interface Field {
  name: string
  /** Dotted path for messages, e.g. targets.web.retain. */
  path: string
  value: Node | null
  /** Line of the key. */
  line: number
  /** Line of the value, or of the key when the value is empty. */
  valueLine: number
}

/** Reads the YAML tree with the lines of every node at hand, so every error points at its line. */
export class ConfigSource {
  constructor(
    readonly display: string,
    readonly cwd: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  lineOf(node: unknown): number | undefined {
    const range = (node as {range?: [number, number, number] | null} | null | undefined)?.range
    return range ? this.lines.linePos(range[0]).line : undefined
  }

  fail(line: number | undefined, problem: string, hint: string): never {
    throw new ConfigError(this.display, line, problem, hint)
  }

  /** Follows aliases; an empty value (`key:` or `~`) is null, as if absent. */
  resolve(node: unknown): Node | null {
    let current = node as Node | null | undefined
    for (let hops = 0; current && isAlias(current) && hops < 100; hops++) current = current.resolve(this.doc) as Node | undefined
    if (!current) return null
    if (isScalar(current) && current.value === null) return null
    return current
  }

  root(): Node | null {
    return this.resolve(this.doc.contents)
  }

  /** The keys of a mapping, refusing keys outside `allowed` (with a did-you-mean). */
  fields(map: YAMLMap, prefix: string, allowed: readonly string[] | undefined): Map<string, Field> {
    const out = new Map<string, Field>()
    const where = prefix === '' ? 'at the top level' : `in ${prefix}`
    for (const pair of map.items) {
      const keyNode = this.resolve(pair.key)
      const line = this.lineOf(pair.key) ?? this.lineOf(map) ?? 1
      if (!keyNode || !isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        this.fail(line, `expected a plain key ${where}, got ${describe(keyNode)}`, `Use simple names as keys.`)
      }
      const name = String(keyNode.value)
      if (allowed && !allowed.includes(name)) {
        const near = suggest(name, allowed)
        this.fail(
          line,
          `unknown key "${name}" ${where}; allowed keys: ${allowed.join(', ')}`,
          near ? `Did you mean "${near}"?` : `Remove "${name}" or rename it to one of: ${allowed.join(', ')}.`,
        )
      }
      const value = this.resolve(pair.value)
      out.set(name, {
        name,
        path: prefix === '' ? name : `${prefix}.${name}`,
        value,
        line,
        valueLine: (value && this.lineOf(value)) || line,
      })
    }
    return out
  }

  expected(field: Pick<Field, 'path' | 'value' | 'valueLine'>, what: string, hint: string): never {
    this.fail(field.valueLine, `${field.path}: expected ${what}, got ${describe(field.value)}`, hint)
  }

  map(field: Field): YAMLMap {
    if (!field.value || !isMap(field.value)) this.expected(field, 'a mapping of keys to values', `Write ${field.name} as indented "key: value" lines.`)
    return field.value
  }

  string(field: Field): string {
    const v = field.value
    if (!v || !isScalar(v) || typeof v.value !== 'string' || v.value.trim() === '') {
      this.expected(field, 'a non-empty string', `Set ${field.name} to a text value.`)
    }
    return v.value
  }

  oneOf<T extends string>(field: Field, values: readonly T[]): T {
    const v = field.value
    const text = v && isScalar(v) && typeof v.value === 'string' ? v.value : undefined
    if (text === undefined || !values.includes(text as T)) {
      const near = text === undefined ? undefined : suggest(text, values)
      this.expected(field, `one of ${values.join(', ')}`, near ? `Did you mean "${near}"?` : `Set ${field.name} to one of: ${values.join(', ')}.`)
    }
    return text as T
  }

  number(field: Field, opts: {min?: number; max?: number; integer?: boolean; aboveZero?: boolean; what?: string}): number {
    const v = field.value
    const n = v && isScalar(v) && typeof v.value === 'number' ? v.value : undefined
    const what =
      opts.what ??
      [
        opts.integer ? 'an integer' : 'a number',
        opts.aboveZero ? 'greater than 0' : '',
        opts.min !== undefined && opts.max !== undefined ? `from ${opts.min} to ${opts.max}` : '',
        opts.min !== undefined && opts.max === undefined ? `of at least ${opts.min}` : '',
      ]
        .filter(Boolean)
        .join(' ')
    const ok =
      n !== undefined &&
      Number.isFinite(n) &&
      (!opts.integer || Number.isSafeInteger(n)) &&
      (!opts.aboveZero || n > 0) &&
      (opts.min === undefined || n >= opts.min) &&
      (opts.max === undefined || n <= opts.max)
    if (!ok) this.expected(field, what, `Set ${field.name} to ${what}${n === undefined ? ' (without quotes)' : ''}.`)
    return n
  }

  duration(field: Field, opts: {aboveZero?: boolean} = {}): number {
    const v = field.value
    const text = v && isScalar(v) && typeof v.value === 'string' ? v.value : undefined
    let ms: number | undefined
    if (text !== undefined) {
      try {
        ms = parseDuration(text)
      } catch (error) {
        if (!isUserError(error)) throw error
      }
    }
    if (ms === undefined) {
      this.expected(field, `a duration: ${DURATION_FORM}`, `Write ${field.name} like 90s, 2m or 1h30m.`)
    }
    if (opts.aboveZero && ms === 0) {
      this.expected(field, 'a duration greater than 0s', `Give ${field.name} a duration above zero, e.g. 5m.`)
    }
    return ms
  }

  /** Items of a list with their own paths and lines. */
  items(field: Field, what: string, example: string): Field[] {
    const v = field.value
    if (!v || !isSeq(v)) this.expected(field, `a list of ${what}`, `Write ${field.name} as a list, e.g. ${field.name}: ${example}`)
    return v.items.map((item, index) => {
      const value = this.resolve(item)
      const line = (value && this.lineOf(value)) || this.lineOf(item) || field.valueLine
      return {name: field.name, path: `${field.path}[${index}]`, value, line, valueLine: line}
    })
  }

  strings(field: Field, opts: {nonEmpty?: boolean; example: string}): string[] {
    const items = this.items(field, 'strings', opts.example)
    if (opts.nonEmpty && items.length === 0) {
      this.expected(field, 'a list with at least one entry', `Add at least one entry, e.g. ${field.name}: ${opts.example}`)
    }
    return items.map((item) => this.string(item))
  }

  required(fields: Map<string, Field>, name: string, at: {path: string; line: number}, what: string): Field {
    const field = fields.get(name)
    if (!field || field.value === null) {
      this.fail(field?.line ?? at.line, `${at.path === '' ? '' : `${at.path}: `}missing ${name} (${what})`, `Add "${name}:" to ${at.path === '' ? 'the file' : at.path}.`)
    }
    return field
  }
}

/** `undefined` when absent or written empty, so that defaults apply. */
function present(fields: Map<string, Field>, name: string): Field | undefined {
  const field = fields.get(name)
  return field && field.value !== null ? field : undefined
}

function describe(node: Node | null | undefined): string {
  if (!node) return 'nothing'
  if (isMap(node)) return 'a mapping'
  if (isSeq(node)) return 'a list'
  if (isScalar(node)) {
    const v = node.value
    if (typeof v === 'string') return v === '' ? 'an empty string' : `the string ${JSON.stringify(v)}`
    if (typeof v === 'number') return `the number ${node.source ?? String(v)}`
    if (typeof v === 'boolean') return `${v}`
    return `${JSON.stringify(v) ?? String(v)}`
  }
  return 'an unsupported value'
}

export async function validateConfig(src: ConfigSource, file: string): Promise<ReleaseConfig> {
  const dir = path.dirname(file)
  const root = src.root()
  if (!root || !isMap(root)) {
    src.fail(
      src.lineOf(root) ?? 1,
      `expected a mapping with at least "targets", got ${describe(root)}`,
      `Start from examples/quickstart/release.yml: it defines account, region and targets.`,
    )
  }
  const top = src.fields(root, '', TOP_KEYS)

  const accountField = present(top, 'account')
  const account = accountField ? src.oneOf(accountField, ['simulated', 'aws'] as const) : DEFAULTS.account

  const regionField = present(top, 'region')
  const region = regionField ? src.string(regionField) : DEFAULTS.region
  if (regionField && !REGION.test(region)) {
    src.expected(regionField, 'an AWS region such as us-east-1 or eu-west-3', `Set region to the region code, e.g. us-east-1.`)
  }

  const stateDirField = present(top, 'stateDir')
  const stateDir = path.resolve(dir, stateDirField ? src.string(stateDirField) : DEFAULTS.stateDir)

  const simulatedField = present(top, 'simulated')
  const simulated = simulatedField ? readSimulated(src, simulatedField) : {speed: DEFAULTS.speed, seed: DEFAULTS.seed, faults: {}}

  const targetsField = src.required(top, 'targets', {path: '', line: src.lineOf(root) ?? 1}, 'the targets to release, at least one')
  const targetsMap = src.map(targetsField)
  const targetFields = src.fields(targetsMap, 'targets', undefined)
  if (targetFields.size === 0) {
    src.expected(targetsField, 'at least one target', `Add a target under targets, e.g. "web:" with strategy, template and trafficSources.`)
  }
  const targets: Record<string, TargetConfig> = {}
  const templates = new Map<string, CfnTemplate>()
  for (const field of targetFields.values()) {
    if (!TARGET_NAME.test(field.name)) {
      src.fail(
        field.line,
        `target name "${field.name}" is not valid; expected ^[a-z][a-z0-9-]{0,31}$ (a lowercase letter, then up to 31 lowercase letters, digits or -)`,
        `Rename the target, e.g. "${field.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 32) || 'web'}".`,
      )
    }
    targets[field.name] = await readTarget(src, field, dir, templates)
  }

  return {file, dir, account, region, stateDir, simulated, targets}
}

function readSimulated(src: ConfigSource, field: Field): SimulatedConfig {
  const fields = src.fields(src.map(field), field.path, SIMULATED_KEYS)
  let speed: number | 'instant' = DEFAULTS.speed
  const speedField = present(fields, 'speed')
  if (speedField) {
    const v = speedField.value
    if (v && isScalar(v) && v.value === 'instant') speed = 'instant'
    else speed = src.number(speedField, {aboveZero: true, what: "a number greater than 0 (virtual seconds per real second) or 'instant'"})
  }
  const seedField = present(fields, 'seed')
  const seed = seedField ? src.number(seedField, {integer: true}) : DEFAULTS.seed
  const faultsField = present(fields, 'faults')
  const faults = faultsField ? readFaults(src, faultsField) : {}
  return {speed, seed, faults}
}

function readFaults(src: ConfigSource, field: Field): Record<string, unknown> {
  const patternList = (f: Field) => src.strings(f, {example: "['*-bad']"})
  const rate = (f: Field) => src.number(f, {min: 0, max: 1})
  const readers: Record<string, (f: Field) => unknown> = {
    unhealthyVersions: patternList,
    degradeVersions: (f) =>
      src.items(f, 'mappings with pattern and afterSeconds', "[{pattern: '*-flaky', afterSeconds: 60}]").map((item) => {
        const entry = src.fields(src.map(item), item.path, ['pattern', 'afterSeconds'])
        const at = {path: item.path, line: item.line}
        return {
          pattern: src.string(src.required(entry, 'pattern', at, "a version pattern such as '*-flaky'")),
          afterSeconds: src.number(src.required(entry, 'afterSeconds', at, 'seconds after launch'), {min: 0}),
        }
      }),
    failStackCreation: patternList,
    failStackDeletion: patternList,
    failTrafficAttach: patternList,
    throttle: (f) => {
      const entry = src.fields(src.map(f), f.path, ['rate', 'from', 'until', 'services'])
      const out: Record<string, unknown> = {rate: rate(src.required(entry, 'rate', {path: f.path, line: f.line}, 'a number in [0,1]'))}
      const from = present(entry, 'from')
      const until = present(entry, 'until')
      if (from) out.from = src.number(from, {min: 0, what: 'a time in milliseconds (a number of at least 0)'})
      if (until) out.until = src.number(until, {min: 0, what: 'a time in milliseconds (a number of at least 0)'})
      if (from && until && (out.until as number) <= (out.from as number)) {
        src.expected(until, `a time after from (${String(out.from)})`, `Make until greater than from.`)
      }
      const services = present(entry, 'services')
      if (services) out.services = src.items(services, 'service names', '[cloudformation, ssm]').map((s) => src.oneOf(s, THROTTLE_SERVICES))
      return out
    },
    commandFailureRate: rate,
    undeliverableInstances: rate,
  }
  const faults: Record<string, unknown> = {}
  for (const f of src.fields(src.map(field), field.path, Object.keys(readers)).values()) {
    if (f.value === null) continue
    faults[f.name] = readers[f.name]!(f)
  }
  return faults
}

async function readTarget(src: ConfigSource, field: Field, dir: string, templates: Map<string, CfnTemplate>): Promise<ImmutableTargetConfig> {
  const name = field.name
  const at = {path: field.path, line: field.line}
  const fields = src.fields(src.map(field), field.path, TARGET_KEYS)

  const strategyField = src.required(fields, 'strategy', at, 'immutable')
  const strategy = src.oneOf(strategyField, ['immutable', 'incremental', 'auto'] as const)
  if (strategy !== 'immutable') {
    src.fail(
      strategyField.valueLine,
      `${strategyField.path}: strategy ${strategy} is not supported yet; expected immutable`,
      `Use strategy: immutable for target ${name}; ${strategy} arrives in a later version of release.`,
    )
  }

  const templateField = src.required(fields, 'template', at, 'the CloudFormation template, relative to the config file')
  const templateRef = src.string(templateField)
  const templatePath = path.resolve(dir, templateRef)
  const templateShown = displayPath(templatePath, src.cwd)
  let templateBody: string
  try {
    templateBody = await readFile(templatePath, 'utf8')
  } catch (error) {
    const code = (error as {code?: string}).code
    const problem = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(error)})`
    src.fail(
      templateField.valueLine,
      `${templateField.path}: template file ${templateShown} ${problem}; expected a CloudFormation template file`,
      `Fix the path (it is relative to ${displayPath(dir, src.cwd) || '.'}) or create the template.`,
    )
  }
  let template = templates.get(templatePath)
  if (!template) {
    try {
      template = parseTemplate(templateBody)
    } catch (error) {
      if (!(error instanceof Error)) throw error
      const line = (error as {line?: unknown}).line
      throw new ConfigError(
        templateShown,
        typeof line === 'number' && line > 0 ? line : undefined,
        error.message,
        `Fix the template ${templateShown} (template of target ${name} at ${src.display}:${templateField.valueLine}).`,
      )
    }
    templates.set(templatePath, template)
  }
  const templateParameters = Object.keys(template.Parameters ?? {})
  const parameterList = templateParameters.length > 0 ? templateParameters.join(', ') : '(none)'

  const versionField = present(fields, 'versionParameter')
  const versionParameter = versionField ? src.string(versionField) : DEFAULTS.versionParameter
  if (!templateParameters.includes(versionParameter)) {
    const near = suggest(versionParameter, templateParameters)
    src.fail(
      versionField?.valueLine ?? templateField.valueLine,
      `${field.path}.versionParameter: template ${templateShown} has no parameter "${versionParameter}"${versionField ? '' : ' (the default versionParameter)'}; its parameters: ${parameterList}`,
      near
        ? `Did you mean "${near}"? Set versionParameter: ${near}.`
        : `Add a "${versionParameter}" parameter to ${templateShown}, or set versionParameter to the template parameter that carries the version.`,
    )
  }

  const parameters: Record<string, string> = {}
  const parametersField = present(fields, 'parameters')
  if (parametersField) {
    for (const p of src.fields(src.map(parametersField), parametersField.path, undefined).values()) {
      if (p.name === versionParameter) {
        src.fail(
          p.line,
          `${p.path}: sets the versionParameter ${versionParameter}, which release sets to the version being released`,
          `Remove ${versionParameter} from parameters; pass the version to release rollout instead.`,
        )
      }
      if (!templateParameters.includes(p.name)) {
        const near = suggest(p.name, templateParameters)
        src.fail(
          p.line,
          `${p.path}: template ${templateShown} has no parameter "${p.name}"; its parameters: ${parameterList}`,
          near ? `Did you mean "${near}"?` : `Remove ${p.name}, or add it to the Parameters of ${templateShown}.`,
        )
      }
      const v = p.value
      if (v && isScalar(v) && typeof v.value === 'string') parameters[p.name] = v.value
      else if (v && isScalar(v) && typeof v.value === 'number') parameters[p.name] = v.source ?? String(v.value)
      else src.expected(p, 'a string or a number', `Give ${p.name} a value; quote it if it looks like true/false or null.`)
    }
  }
  // Refuse now what CloudFormation would refuse at stack creation: a parameter without a default left unset.
  for (const [parameter, definition] of Object.entries(template.Parameters ?? {})) {
    const hasDefault = (definition as {Default?: unknown} | undefined)?.Default !== undefined
    if (parameter !== versionParameter && !hasDefault && !(parameter in parameters)) {
      src.fail(
        parametersField?.line ?? field.line,
        `${field.path}.parameters: template ${templateShown} requires parameter "${parameter}" (it has no Default)`,
        `Add "${parameter}: <value>" under parameters of target ${name}, or give it a Default in the template.`,
      )
    }
  }

  const sourcesField = src.required(fields, 'trafficSources', at, 'ELB target group ARNs, at least one')
  const trafficSources = src.strings(sourcesField, {nonEmpty: true, example: `['${TARGET_GROUP_ARN_FORM}']`})
  const sourceItems = src.items(sourcesField, 'strings', '')
  trafficSources.forEach((arn, i) => {
    const item = sourceItems[i]!
    if (!TARGET_GROUP_ARN.test(arn)) {
      src.fail(item.line, `${item.path}: expected an ELB target group ARN (${TARGET_GROUP_ARN_FORM}), got ${JSON.stringify(arn)}`, `Copy the target group ARN from the console or: aws elbv2 describe-target-groups --query 'TargetGroups[].TargetGroupArn'.`)
    }
    if (trafficSources.indexOf(arn) !== i) {
      src.fail(item.line, `${item.path}: ${arn} is listed twice`, `Remove the duplicate.`)
    }
  })

  const retainField = present(fields, 'retain')
  const retain = retainField ? src.number(retainField, {integer: true, min: 0, max: 10}) : DEFAULTS.retain
  const bakeField = present(fields, 'bake')
  const bakeMs = bakeField ? src.duration(bakeField) : parseDuration(DEFAULTS.bake)

  let verify: {commands: string[]} | undefined
  const verifyField = present(fields, 'verify')
  if (verifyField) {
    const v = src.fields(src.map(verifyField), verifyField.path, ['commands'])
    const commands = src.strings(src.required(v, 'commands', {path: verifyField.path, line: verifyField.line}, 'shell commands run on each new instance'), {
      nonEmpty: true,
      example: "['curl -fsS localhost/health']",
    })
    verify = {commands}
  }

  const timeouts = {provisionMs: 0, capacityMs: 0, verifyMs: 0, shiftMs: 0, retireMs: 0}
  const timeoutsField = present(fields, 'timeouts')
  const timeoutFields = timeoutsField ? src.fields(src.map(timeoutsField), timeoutsField.path, Object.keys(TIMEOUT_DEFAULTS)) : new Map<string, Field>()
  for (const [step, fallback] of Object.entries(TIMEOUT_DEFAULTS)) {
    const f = present(timeoutFields, step)
    timeouts[`${step}Ms` as keyof typeof timeouts] = f ? src.duration(f, {aboveZero: true}) : parseDuration(fallback)
  }

  return {
    name,
    strategy: 'immutable',
    templatePath,
    templateBody,
    versionParameter,
    parameters,
    trafficSources,
    retain,
    bakeMs,
    ...(verify ? {verify} : {}),
    timeouts,
    line: field.line,
  }
}
