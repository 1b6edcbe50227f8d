import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type YAMLMap} from 'yaml'
import {chooseStrategy} from '../../strategies/choose.js'
import type {Amount, ChangeSettings, FleetSelector} from '../../strategies/incremental/deps.js'
import {isUserError} from '../errors.js'
import {parseTemplate, type CfnTemplate} from '../template/index.js'
import {ConfigError, displayPath} from './errors.js'
import {DURATION_FORM, parseDuration} from './duration.js'
import {checkPlaceholders} from './placeholders.js'
import {suggest} from './suggest.js'
import type {
  ImmutableTargetConfig,
  IncrementalTargetConfig,
  ReleaseConfig,
  SimulatedConfig,
  SimulatedDocument,
  SimulatedFleet,
  StrategyChoice,
  TargetConfig,
} from './types.js'
import {validateVersion} from './version.js'

export const TARGET_NAME = /^[a-z][a-z0-9-]{0,31}$/
/** arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex digits> */
export const TARGET_GROUP_ARN =
  /^arn:aws(?:-[a-z]+)*:elasticloadbalancing:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:targetgroup\/[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?\/[0-9a-f]{16}$/
const TARGET_GROUP_ARN_FORM = 'arn:aws:elasticloadbalancing:<region>:<12-digit account>:targetgroup/<name>/<16 hex digits>'
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/

const TOP_KEYS = ['account', 'region', 'stateDir', 'simulated', 'targets'] as const
const SIMULATED_KEYS = ['speed', 'seed', 'faults', 'fleets', 'documents'] as const
const STRATEGIES = ['immutable', 'incremental', 'auto'] as const
const IMMUTABLE_KEYS = [
  'strategy',
  'template',
  'versionParameter',
  'parameters',
  'trafficSources',
  'retain',
  'keepWarm',
  'bake',
  'verify',
  'timeouts',
  'allowDurableReplacement',
  'gates',
] as const
const INCREMENTAL_KEYS = ['strategy', 'template', 'fleet', 'change', 'maxUnavailable', 'canary', 'maxErrors', 'bake', 'timeouts', 'gates'] as const
const IMMUTABLE_GATES = ['beforeShift', 'beforeRetire'] as const
const INCREMENTAL_GATES = ['afterCanary'] as const
/** An auto target may carry the settings of both strategies: those of the one not chosen are ignored. */
const AUTO_KEYS = [...new Set([...IMMUTABLE_KEYS, ...INCREMENTAL_KEYS])]
const TIMEOUT_DEFAULTS = {provision: '15m', capacity: '10m', verify: '5m', shift: '10m', retire: '15m'} as const
const INCREMENTAL_TIMEOUT_DEFAULTS = {standby: '5m', apply: '10m', verify: '5m', health: '5m'} as const
const CHANGE_KEYS = ['document', 'apply', 'verify', 'current', 'versionParameter', 'parameters'] as const
/** Documents whose commands are shell lines given in release.yml (apply/verify/current). */
export const SHELL_DOCUMENTS = ['AWS-RunShellScript', 'AWS-RunPowerShellScript'] as const
/** An SSM document name (3 to 128 of A-Z a-z 0-9 _ . -), or the ARN of a document shared from another account. */
const DOCUMENT_NAME = /^(?:arn:aws(?:-[a-z]+)*:ssm:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:document\/)?[A-Za-z0-9_.-]{3,128}$/
const MAX_SIMULATED_INSTANCES = 20_000
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
  incremental: {
    document: 'AWS-RunShellScript',
    maxUnavailable: {percent: 10},
    canary: 1,
    maxErrors: {count: 0},
    bake: '1m',
    timeouts: INCREMENTAL_TIMEOUT_DEFAULTS,
  },
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

  boolean(field: Field): boolean {
    const v = field.value
    if (!v || !isScalar(v) || typeof v.value !== 'boolean') {
      this.expected(field, 'true or false', `Set ${field.name} to true or false (without quotes).`)
    }
    return v.value
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
  const simulated: SimulatedConfig = simulatedField
    ? readSimulated(src, simulatedField)
    : {speed: DEFAULTS.speed, seed: DEFAULTS.seed, faults: {}, fleets: {}, documents: {}}

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
    targets[field.name] = await readTarget(src, field, {dir, templates, simulated: account === 'simulated' ? simulated : undefined})
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
  const fleetsField = present(fields, 'fleets')
  const fleets = fleetsField ? readSimulatedFleets(src, fleetsField) : {}
  const documentsField = present(fields, 'documents')
  const documents = documentsField ? readSimulatedDocuments(src, documentsField) : {}
  return {speed, seed, faults, fleets, documents}
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


function readSimulatedFleets(src: ConfigSource, field: Field): Record<string, SimulatedFleet> {
  const fleets: Record<string, SimulatedFleet> = {}
  for (const f of src.fields(src.map(field), field.path, undefined).values()) {
    checkGroupName(src, f)
    const entry = src.fields(src.map(f), f.path, ['instances', 'version', 'trafficSources'])
    const at = {path: f.path, line: f.line}
    const instances = src.number(src.required(entry, 'instances', at, `how many instances the group runs, 1 to ${MAX_SIMULATED_INSTANCES}`), {
      integer: true,
      min: 1,
      max: MAX_SIMULATED_INSTANCES,
    })
    const version = readVersion(src, src.required(entry, 'version', at, 'the version its instances run at the start'))
    const sourcesField = present(entry, 'trafficSources')
    const trafficSources = sourcesField ? readTrafficSources(src, sourcesField, {nonEmpty: false}) : []
    fleets[f.name] = {instances, version, trafficSources}
  }
  return fleets
}

function readSimulatedDocuments(src: ConfigSource, field: Field): Record<string, SimulatedDocument> {
  const documents: Record<string, SimulatedDocument> = {}
  for (const f of src.fields(src.map(field), field.path, undefined).values()) {
    checkDocumentName(src, f, f.name, f.line)
    const entry = src.fields(src.map(f), f.path, ['parameters'])
    const parametersField = src.required(entry, 'parameters', {path: f.path, line: f.line}, "the document's parameter names, e.g. [Version]")
    const items = src.items(parametersField, 'parameter names', '[Version, Mode]')
    const parameters = items.map((item) => src.string(item))
    parameters.forEach((name, i) => {
      if (parameters.indexOf(name) !== i) src.fail(items[i]!.line, `${items[i]!.path}: parameter ${name} is listed twice`, `Remove the duplicate.`)
    })
    documents[f.name] = {parameters}
  }
  return documents
}

/** A version written in release.yml: a string (1.0 unquoted is the number 1) that validateVersion accepts. */
function readVersion(src: ConfigSource, field: Field): string {
  const v = field.value
  if (v && isScalar(v) && typeof v.value === 'number') {
    src.expected(field, 'a version as a string', `Quote the version, e.g. ${field.name}: '${v.source ?? String(v.value)}' (unquoted, YAML reads it as a number).`)
  }
  const text = src.string(field)
  try {
    return validateVersion(text)
  } catch (error) {
    if (!isUserError(error)) throw error
    src.fail(field.valueLine, `${field.path}: ${error.message}`, error.hint)
  }
}

function checkGroupName(src: ConfigSource, field: Field): void {
  if (field.name.length > 255 || field.name.trim() === '') {
    src.fail(field.line, `${field.path}: "${field.name.slice(0, 40)}" is not an Auto Scaling group name (1 to 255 characters)`, `Use the group's name as Auto Scaling shows it.`)
  }
}

function checkDocumentName(src: ConfigSource, field: Pick<Field, 'path'>, name: string, line: number): void {
  if (!DOCUMENT_NAME.test(name)) {
    src.fail(
      line,
      `${field.path}: "${name}" is not an SSM document name; expected 3 to 128 letters, digits, _ . or -, or a document ARN`,
      `Use the name SSM shows for the document, e.g. AWS-RunShellScript or MyCompany-InstallApp.`,
    )
  }
}

/** ELB target group ARNs, each checked and none twice. */
function readTrafficSources(src: ConfigSource, field: Field, opts: {nonEmpty: boolean}): string[] {
  const trafficSources = src.strings(field, {nonEmpty: opts.nonEmpty, example: `['${TARGET_GROUP_ARN_FORM}']`})
  const items = src.items(field, 'strings', '')
  trafficSources.forEach((arn, i) => {
    const item = items[i]!
    if (!TARGET_GROUP_ARN.test(arn)) {
      src.fail(
        item.line,
        `${item.path}: expected an ELB target group ARN (${TARGET_GROUP_ARN_FORM}), got ${JSON.stringify(arn)}`,
        `Copy the target group ARN from the console or: aws elbv2 describe-target-groups --query 'TargetGroups[].TargetGroupArn'.`,
      )
    }
    if (trafficSources.indexOf(arn) !== i) {
      src.fail(item.line, `${item.path}: ${arn} is listed twice`, `Remove the duplicate.`)
    }
  })
  return trafficSources
}

interface TemplateFile {
  field: Field
  templatePath: string
  templateBody: string
  /** As shown in messages. */
  shown: string
  template: CfnTemplate
}

interface TargetContext {
  dir: string
  /** Parsed templates by absolute path: targets sharing a template parse it once. */
  templates: Map<string, CfnTemplate>
  /** The simulated account's settings, when the config runs on it. */
  simulated: SimulatedConfig | undefined
}

async function readTarget(src: ConfigSource, field: Field, ctx: TargetContext): Promise<TargetConfig> {
  const name = field.name
  const at = {path: field.path, line: field.line}
  const fields = src.fields(src.map(field), field.path, undefined)

  const strategyField = src.required(fields, 'strategy', at, 'immutable, incremental or auto')
  const declared = src.oneOf(strategyField, STRATEGIES)
  checkTargetKeys(src, field, fields, declared)

  // Incremental changes instances in place, so its template is optional (kept for `release plan`);
  // immutable deploys it, and auto decides from it.
  const templateField =
    declared === 'incremental'
      ? present(fields, 'template')
      : src.required(
          fields,
          'template',
          at,
          declared === 'auto'
            ? 'the CloudFormation template, relative to the config file; strategy auto chooses from its resources'
            : 'the CloudFormation template, relative to the config file',
        )
  const template = templateField ? await readTemplateFile(src, templateField, name, ctx) : undefined

  const verdict = chooseStrategy(template?.template.Resources ?? {})
  const choice: StrategyChoice =
    declared === 'auto'
      ? {declared, strategy: verdict.strategy, reason: verdict.reason, durable: verdict.durable}
      : {declared, strategy: declared, reason: 'declared in release.yml', durable: verdict.durable}

  const target = {name, field, fields, strategyField, choice, lenient: declared === 'auto'}
  try {
    if (choice.strategy === 'incremental') return readIncremental(src, target, template, ctx)
    if (!template) throw new Error(`internal: immutable target ${name} without a template`)
    return readImmutable(src, target, template)
  } catch (error) {
    if (declared !== 'auto' || !(error instanceof ConfigError)) throw error
    // The fields an auto target needs depend on its template: say which way it went and why.
    throw new ConfigError(
      error.file,
      error.line,
      error.problem,
      `${error.hint} (strategy auto chose ${choice.strategy} for target ${name}: ${choice.reason}.)`,
    )
  }
}

/** Keys of the declared strategy; a key of the other strategy is named as such, not as a typo. */
function checkTargetKeys(src: ConfigSource, field: Field, fields: Map<string, Field>, declared: (typeof STRATEGIES)[number]): void {
  const allowed: readonly string[] = declared === 'immutable' ? IMMUTABLE_KEYS : declared === 'incremental' ? INCREMENTAL_KEYS : AUTO_KEYS
  for (const f of fields.values()) {
    if (allowed.includes(f.name)) continue
    if (AUTO_KEYS.includes(f.name as (typeof AUTO_KEYS)[number])) {
      const owner = declared === 'immutable' ? 'incremental' : 'immutable'
      src.fail(
        f.line,
        `${f.path}: ${f.name} is a setting of ${owner} targets, and ${field.name} is ${declared}`,
        `Remove ${f.name}, or set strategy: ${owner} (or auto, to choose from the template's resources).`,
      )
    }
    const near = suggest(f.name, allowed)
    src.fail(
      f.line,
      `unknown key "${f.name}" in ${field.path}; allowed keys: ${allowed.join(', ')}`,
      near ? `Did you mean "${near}"?` : `Remove "${f.name}" or rename it to one of: ${allowed.join(', ')}.`,
    )
  }
}

async function readTemplateFile(src: ConfigSource, field: Field, name: string, ctx: TargetContext): Promise<TemplateFile> {
  const templatePath = path.resolve(ctx.dir, src.string(field))
  const shown = displayPath(templatePath, src.cwd)
  let templateBody: string
  try {
    templateBody = await readFile(templatePath, 'utf8')
  } catch (error) {
    const code = (error as {code?: string}).code
    const problem = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(error)})`
    src.fail(
      field.valueLine,
      `${field.path}: template file ${shown} ${problem}; expected a CloudFormation template file`,
      `Fix the path (it is relative to ${displayPath(ctx.dir, src.cwd) || '.'}) or create the template.`,
    )
  }
  let template = ctx.templates.get(templatePath)
  if (!template) {
    try {
      template = parseTemplate(templateBody)
    } catch (error) {
      if (!(error instanceof Error)) throw error
      const line = (error as {line?: unknown}).line
      throw new ConfigError(
        shown,
        typeof line === 'number' && line > 0 ? line : undefined,
        error.message,
        `Fix the template ${shown} (template of target ${name} at ${src.display}:${field.valueLine}).`,
      )
    }
    ctx.templates.set(templatePath, template)
  }
  return {field, templatePath, templateBody, shown, template}
}

interface TargetFields {
  name: string
  field: Field
  fields: Map<string, Field>
  strategyField: Field
  choice: StrategyChoice
  /** An auto target: the other strategy's settings are allowed and ignored. */
  lenient: boolean
}

function readImmutable(src: ConfigSource, target: TargetFields, templateFile: TemplateFile): ImmutableTargetConfig {
  const {name, field, fields, choice} = target
  const at = {path: field.path, line: field.line}
  const {template, shown: templateShown, templatePath, templateBody} = templateFile

  const allowField = present(fields, 'allowDurableReplacement')
  const allowDurableReplacement = allowField ? src.boolean(allowField) : false
  if (choice.durable.length > 0 && !allowDurableReplacement) {
    const named = choice.durable.map((d) => `${d.logicalId} (${d.why})`).join(', ')
    src.fail(
      target.strategyField.valueLine,
      `${target.strategyField.path}: strategy immutable replaces every resource of ${templateShown} at each release, and it holds durable resources: ${named}`,
      `Use strategy incremental or auto to change ${name} in place, or set allowDurableReplacement: true if replacing them is intended.`,
    )
  }

  const templateParameters = Object.keys(template.Parameters ?? {})
  const parameterList = templateParameters.length > 0 ? templateParameters.join(', ') : '(none)'

  const versionField = present(fields, 'versionParameter')
  const versionParameter = versionField ? src.string(versionField) : DEFAULTS.versionParameter
  if (!templateParameters.includes(versionParameter)) {
    const near = suggest(versionParameter, templateParameters)
    src.fail(
      versionField?.valueLine ?? templateFile.field.valueLine,
      `${field.path}.versionParameter: template ${templateShown} has no parameter "${versionParameter}"${versionField ? '' : ' (the default versionParameter)'}; its parameters: ${parameterList}`,
      near
        ? `Did you mean "${near}"? Set versionParameter: ${near}.`
        : `Add a "${versionParameter}" parameter to ${templateShown}, or set versionParameter to the template parameter that carries the version.`,
    )
  }

  const parameters: Record<string, string> = {}
  const parametersField = present(fields, 'parameters')
  if (parametersField) {
    for (const p of parameterFields(src, parametersField, versionParameter)) {
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
  const trafficSources = readTrafficSources(src, sourcesField, {nonEmpty: true})

  const retainField = present(fields, 'retain')
  const retain = retainField ? src.number(retainField, {integer: true, min: 0, max: 10}) : DEFAULTS.retain
  const bakeField = present(fields, 'bake')
  const bakeMs = bakeField ? src.duration(bakeField) : parseDuration(DEFAULTS.bake)
  // How long the group that served before stays serving-ready after a success (0: scaled to zero).
  const keepWarmField = present(fields, 'keepWarm')
  const keepWarmMs = keepWarmField ? src.duration(keepWarmField) : 0

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
  for (const [step, ms] of Object.entries(readTimeouts(src, fields, TIMEOUT_DEFAULTS, target.lenient))) {
    timeouts[`${step}Ms` as keyof typeof timeouts] = ms
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
    keepWarmMs,
    ...(verify ? {verify} : {}),
    timeouts,
    line: field.line,
    allowDurableReplacement,
    gates: readGates(src, fields, IMMUTABLE_GATES, target.lenient),
    choice,
  }
}

/**
 * Where a release stops for a person (`release promote` / `release abort`). An auto target may name
 * the gates of both strategies; those of the one not chosen are ignored.
 */
function readGates<G extends string>(src: ConfigSource, fields: Map<string, Field>, allowed: readonly G[], lenient: boolean): G[] {
  const gatesField = present(fields, 'gates')
  if (!gatesField) return []
  const known = lenient ? [...IMMUTABLE_GATES, ...INCREMENTAL_GATES] : allowed
  const named = src.items(gatesField, 'gate names', `[${allowed.join(', ')}]`).map((item) => src.oneOf(item, known as readonly string[]))
  return [...new Set(named.filter((gate): gate is G => (allowed as readonly string[]).includes(gate)))]
}

/** The steps' timeouts in ms, defaults filled in; lenient (auto) allows the other strategy's steps and ignores them. */
function readTimeouts<K extends string>(src: ConfigSource, fields: Map<string, Field>, defaults: Record<K, string>, lenient: boolean): Record<K, number> {
  const timeoutsField = present(fields, 'timeouts')
  const allowed = lenient ? [...new Set([...Object.keys(TIMEOUT_DEFAULTS), ...Object.keys(INCREMENTAL_TIMEOUT_DEFAULTS)])] : Object.keys(defaults)
  const timeoutFields = timeoutsField ? src.fields(src.map(timeoutsField), timeoutsField.path, allowed) : new Map<string, Field>()
  const out = {} as Record<K, number>
  for (const [step, fallback] of Object.entries(defaults) as [K, string][]) {
    const f = present(timeoutFields, step)
    out[step] = f ? src.duration(f, {aboveZero: true}) : parseDuration(fallback)
  }
  return out
}

function readIncremental(
  src: ConfigSource,
  target: TargetFields,
  templateFile: TemplateFile | undefined,
  ctx: TargetContext,
): IncrementalTargetConfig {
  const {name, field, fields, choice} = target
  const at = {path: field.path, line: field.line}

  const fleet = readFleetSelector(src, src.required(fields, 'fleet', at, 'the instances to change: {group: <Auto Scaling group>} or {tags: {Key: Value}}'))
  const change = readChange(
    src,
    src.required(fields, 'change', at, `how an instance is changed, e.g. {apply: ['install.sh --version {{version}}']}`),
    ctx,
  )

  const maxUnavailableField = present(fields, 'maxUnavailable')
  const maxUnavailable = maxUnavailableField ? readAmount(src, maxUnavailableField, 1) : {...DEFAULTS.incremental.maxUnavailable}
  const canaryField = present(fields, 'canary')
  const canary = canaryField ? src.number(canaryField, {integer: true, min: 0}) : DEFAULTS.incremental.canary
  const maxErrorsField = present(fields, 'maxErrors')
  const maxErrors = maxErrorsField ? readAmount(src, maxErrorsField, 0) : {...DEFAULTS.incremental.maxErrors}
  const bakeField = present(fields, 'bake')
  const bakeMs = bakeField ? src.duration(bakeField) : parseDuration(DEFAULTS.incremental.bake)
  const t = readTimeouts(src, fields, INCREMENTAL_TIMEOUT_DEFAULTS, target.lenient)
  const gates = readGates(src, fields, INCREMENTAL_GATES, target.lenient)
  if (gates.includes('afterCanary') && canary === 0) {
    src.fail(
      present(fields, 'gates')!.line,
      `${field.path}.gates: afterCanary needs a canary, but canary is 0`,
      `Set canary to 1 or more, or remove afterCanary from gates of target ${name}.`,
    )
  }

  return {
    name,
    strategy: 'incremental',
    line: field.line,
    fleet,
    change,
    maxUnavailable,
    canary,
    maxErrors,
    bakeMs,
    timeouts: {standbyMs: t.standby, applyMs: t.apply, verifyMs: t.verify, healthMs: t.health},
    gates,
    ...(templateFile ? {templatePath: templateFile.templatePath, templateBody: templateFile.templateBody} : {}),
    choice,
  }
}

function readFleetSelector(src: ConfigSource, field: Field): FleetSelector {
  const fields = src.fields(src.map(field), field.path, ['group', 'tags'])
  const group = present(fields, 'group')
  const tags = present(fields, 'tags')
  if (group && tags) {
    src.fail(
      field.line,
      `${field.path}: sets both group and tags; expected exactly one of them`,
      `Keep group (every instance of an Auto Scaling group) or tags (managed instances carrying those EC2 tags), not both.`,
    )
  }
  if (group) {
    const name = src.string(group)
    checkGroupName(src, {...group, name})
    return {group: name}
  }
  if (tags) {
    const entries = src.fields(src.map(tags), tags.path, undefined)
    if (entries.size === 0) {
      src.expected(tags, 'at least one tag', `Name the tags that mark the fleet, e.g. tags: {Role: api}.`)
    }
    const selected: Record<string, string> = {}
    for (const tag of entries.values()) {
      const v = tag.value
      if (v && isScalar(v) && typeof v.value === 'string' && v.value !== '') selected[tag.name] = v.value
      else if (v && isScalar(v) && typeof v.value === 'number') selected[tag.name] = v.source ?? String(v.value)
      else src.expected(tag, 'a tag value (a non-empty string)', `Give tag ${tag.name} the value the instances carry; quote it if it looks like true/false or null.`)
    }
    return {tags: selected}
  }
  src.fail(
    field.valueLine,
    `${field.path}: expected exactly one of group or tags`,
    `Write fleet: {group: <Auto Scaling group name>} or fleet: {tags: {Role: api}}.`,
  )
}

/** A count of instances (an integer of at least `min`) or a share of the fleet ('25%'). */
function readAmount(src: ConfigSource, field: Field, min: 0 | 1): Amount {
  const v = field.value
  if (v && isScalar(v)) {
    if (typeof v.value === 'number' && Number.isSafeInteger(v.value) && v.value >= min) return {count: v.value}
    const percent = typeof v.value === 'string' ? /^(\d{1,3})%$/.exec(v.value.trim()) : null
    if (percent && Number(percent[1]) >= min && Number(percent[1]) <= 100) return {percent: Number(percent[1])}
  }
  src.expected(
    field,
    `a count of instances (an integer of at least ${min}) or a whole percentage of the fleet from ${min}% to 100%`,
    `Write ${field.name} as a number of instances, e.g. ${field.name}: ${min + 1}, or a share of the fleet, e.g. ${field.name}: 25%.`,
  )
}

function readChange(src: ConfigSource, field: Field, ctx: TargetContext): ChangeSettings {
  const fields = src.fields(src.map(field), field.path, CHANGE_KEYS)
  const documentField = present(fields, 'document')
  const document = documentField ? src.string(documentField) : DEFAULTS.incremental.document
  if (documentField) checkDocumentName(src, documentField, document, documentField.valueLine)
  const shell = (SHELL_DOCUMENTS as readonly string[]).includes(document)
  const caseSlip = SHELL_DOCUMENTS.find((d) => d.toLowerCase() === document.toLowerCase() && d !== document)
  if (documentField && caseSlip) {
    src.fail(documentField.valueLine, `${documentField.path}: no document "${document}"; SSM document names are case-sensitive`, `Did you mean "${caseSlip}"?`)
  }

  if (shell) {
    for (const key of ['versionParameter', 'parameters'] as const) {
      const f = fields.get(key)
      if (f) {
        src.fail(
          f.line,
          `${f.path}: ${key} is for a custom document; with ${document} the commands in apply receive the version as {{version}}`,
          `Remove ${key}, or set document to the custom SSM document that takes it.`,
        )
      }
    }
    const applyField = src.required(fields, 'apply', {path: field.path, line: field.line}, `the shell lines that put {{version}} on an instance`)
    const apply = readShellLines(src, applyField, true)
    const verifyField = present(fields, 'verify')
    const currentField = present(fields, 'current')
    return {
      document,
      apply,
      verify: verifyField ? readShellLines(src, verifyField, false) : [],
      current: currentField ? readShellLines(src, currentField, false) : [],
      parameters: {},
    }
  }

  for (const key of ['apply', 'verify', 'current'] as const) {
    const f = fields.get(key)
    if (f) {
      src.fail(
        f.line,
        `${f.path}: ${key} lists shell lines, which only ${SHELL_DOCUMENTS.join(' and ')} run; the custom document ${document} receives the version in its versionParameter`,
        `Remove ${key}, or set document: AWS-RunShellScript to run shell lines.`,
      )
    }
  }
  const near = suggest(document, SHELL_DOCUMENTS)
  const versionField = src.required(
    fields,
    'versionParameter',
    {path: field.path, line: documentField?.line ?? field.line},
    `the parameter of document ${document} that receives the version${near ? `; or did you mean document: ${near}?` : ''}`,
  )
  const versionParameter = src.string(versionField)
  const parameters: Record<string, string[]> = {}
  const parametersField = present(fields, 'parameters')
  if (parametersField) {
    for (const p of parameterFields(src, parametersField, versionParameter)) {
      const v = p.value
      const one = (node: Field): string => {
        const n = node.value
        if (n && isScalar(n) && typeof n.value === 'string') return n.value
        if (n && isScalar(n) && typeof n.value === 'number') return n.source ?? String(n.value)
        src.expected(node, 'a string or a list of strings', `Give ${p.name} a value; quote it if it looks like true/false or null.`)
      }
      parameters[p.name] = v && isSeq(v) ? src.items(p, 'strings', "['a', 'b']").map(one) : [one(p)]
    }
  }

  // On the simulated account a declared document is the whole truth: check its parameters now.
  const known = ctx.simulated && Object.hasOwn(ctx.simulated.documents, document) ? ctx.simulated.documents[document] : undefined
  if (known) {
    const list = known.parameters.length > 0 ? known.parameters.join(', ') : '(none)'
    const unknown = [
      {name: versionParameter, line: versionField.valueLine, path: versionField.path},
      ...[...(parametersField ? src.fields(src.map(parametersField), parametersField.path, undefined).values() : [])].map((p) => ({
        name: p.name,
        line: p.line,
        path: p.path,
      })),
    ].find((p) => !known.parameters.includes(p.name))
    if (unknown) {
      const close = suggest(unknown.name, known.parameters)
      src.fail(
        unknown.line,
        `${unknown.path}: document ${document} (simulated.documents) has no parameter "${unknown.name}"; its parameters: ${list}`,
        close ? `Did you mean "${close}"?` : `Use one of its parameters, or add "${unknown.name}" to simulated.documents.${document}.parameters.`,
      )
    }
  }
  return {document, apply: [], verify: [], current: [], versionParameter, parameters}
}

/** Shell lines of a shell document, each checked for placeholders at its own line of release.yml. */
function readShellLines(src: ConfigSource, field: Field, nonEmpty: boolean): string[] {
  const example = "['install.sh --version {{version}}']"
  const lines = src.strings(field, {nonEmpty, example})
  const items = src.items(field, 'strings', example)
  lines.forEach((line, i) => {
    const problem = checkPlaceholders(line)
    if (!problem) return
    const item = items[i]!
    // A block literal (|) starts on the line after its indicator and keeps its lines as written.
    const node = item.value
    const offset = node && isScalar(node) && node.type === 'BLOCK_LITERAL' ? 1 + line.slice(0, problem.index).split('\n').length - 1 : 0
    src.fail(item.line + offset, `${item.path}: ${problem.problem}`, problem.hint)
  })
  return lines
}

/** The fields under `parameters:`, refusing one that sets the version parameter: release sets it. */
function parameterFields(src: ConfigSource, parametersField: Field, versionParameter: string): Field[] {
  const fields = [...src.fields(src.map(parametersField), parametersField.path, undefined).values()]
  for (const p of fields) {
    if (p.name === versionParameter) {
      src.fail(
        p.line,
        `${p.path}: sets the versionParameter ${versionParameter}, which release sets to the version being released`,
        `Remove ${versionParameter} from parameters; pass the version to release rollout instead.`,
      )
    }
  }
  return fields
}
