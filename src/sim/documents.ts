import {createHash} from 'node:crypto'
import type {DocumentDescription, DocumentParameter} from '@aws-sdk/client-ssm'
import {APPLY_CHEF_RECIPES, chefVersion, CONFIGURE_AWS_PACKAGE, packageVersion, type SimParameter} from './aws-documents.js'
import {ssmErrors as errors} from './errors.js'
import type {SimDocument} from './types.js'

/**
 * The SSM Command documents the account knows: AWS-RunShellScript, AWS-RunPowerShellScript, and the
 * custom ones of SimOptions.documents (per process; a command records what it needs when sent).
 *
 * Custom documents stand for a team's own install document. The account cannot run their steps, so
 * it reads one thing from their parameters: the version they install. That is the parameter named
 * `version` (any case, e.g. `Version`), else the first declared parameter whose value looks like a
 * version (a digit, then digits and letters split by `.`, `-`, `_` or `+`, optionally after a `v`).
 * An invocation of such a document acts like `release-sim set-version <v>` then `release-sim check`.
 * Without a version among its parameters, it changes nothing and succeeds.
 */

export type DocumentKind = 'shell' | 'powershell' | 'custom'

export interface DocumentSpec {
  name: string
  kind: DocumentKind
  /** The plugin (step) name invocations report. */
  plugin: string
  owner: string
  platforms: string[]
  parameters: SimParameter[]
  /** The version an invocation installs, read from its parameters (Amazon's documents other than the shell ones). */
  versionOf?: (parameters: Record<string, string[]>) => string | undefined
}

const DOCUMENT_NAME = /^[a-zA-Z0-9_.-]{3,128}$/
const PARAMETER_NAME = /^[a-zA-Z0-9_]{1,128}$/
const LOOKS_LIKE_VERSION = /^v?\d+(?:[._+-][0-9A-Za-z]+)+$/

const SCRIPT_PARAMETERS = (shell: string): SimParameter[] => [
  {Name: 'commands', Type: 'StringList', Description: `(Required) Specify a ${shell} script or a command to run.`},
  {Name: 'workingDirectory', Type: 'String', Description: '(Optional) The path to the working directory on your instance.', DefaultValue: ''},
  {
    Name: 'executionTimeout',
    Type: 'String',
    Description: '(Optional) The time in seconds for a command to complete before it is considered to have failed.',
    DefaultValue: '3600',
  },
]

const BUILT_IN: DocumentSpec[] = [
  {
    name: 'AWS-RunShellScript',
    kind: 'shell',
    plugin: 'aws:runShellScript',
    owner: 'Amazon',
    platforms: ['Linux', 'MacOS'],
    parameters: SCRIPT_PARAMETERS('shell'),
  },
  {
    name: 'AWS-RunPowerShellScript',
    kind: 'powershell',
    plugin: 'aws:runPowerShellScript',
    owner: 'Amazon',
    platforms: ['Windows', 'Linux', 'MacOS'],
    parameters: SCRIPT_PARAMETERS('PowerShell'),
  },
  {
    name: 'AWS-ApplyChefRecipes',
    kind: 'custom',
    plugin: 'runChefRecipes',
    owner: 'Amazon',
    platforms: ['Linux', 'Windows'],
    parameters: APPLY_CHEF_RECIPES,
    versionOf: chefVersion,
  },
  {
    name: 'AWS-ConfigureAWSPackage',
    kind: 'custom',
    plugin: 'configurePackage',
    owner: 'Amazon',
    platforms: ['Windows', 'Linux', 'MacOS'],
    parameters: CONFIGURE_AWS_PACKAGE,
    versionOf: packageVersion,
  },
]

/** A document ARN (arn:aws:ssm:<region>:<account>:document/<name>) names the document after `document/`. */
export function documentName(nameOrArn: string): string {
  const at = nameOrArn.indexOf(':document/')
  return nameOrArn.startsWith('arn:') && at >= 0 ? nameOrArn.slice(at + ':document/'.length) : nameOrArn
}

/** Refuses custom documents SSM would not accept, before anything is opened. */
export function checkDocuments(documents: Record<string, SimDocument> | undefined): void {
  for (const [given, document] of Object.entries(documents ?? {})) {
    const name = documentName(given)
    if (!DOCUMENT_NAME.test(name)) throw new RangeError(`Simulated document name ${given} is not 3 to 128 letters, digits, _ . or -`)
    if (/^(aws|amazon)/i.test(name)) throw new RangeError(`Simulated document name ${given}: names starting with aws or amazon are reserved`)
    if (!Array.isArray(document?.parameters)) throw new RangeError(`Simulated document ${given} needs a list of parameter names`)
    document.parameters.forEach((parameter, i) => {
      if (typeof parameter !== 'string' || !PARAMETER_NAME.test(parameter)) {
        throw new RangeError(`Simulated document ${given}: parameter ${String(parameter)} is not a valid parameter name`)
      }
      if (document.parameters.indexOf(parameter) !== i) throw new RangeError(`Simulated document ${given}: parameter ${parameter} is listed twice`)
    })
  }
}

export class DocumentRegistry {
  private readonly byName = new Map<string, DocumentSpec>()

  constructor(custom: Record<string, SimDocument> | undefined) {
    for (const spec of BUILT_IN) this.byName.set(spec.name, spec)
    for (const [given, document] of Object.entries(custom ?? {})) {
      const name = documentName(given)
      this.byName.set(name, {
        name,
        kind: 'custom',
        plugin: 'aws:runShellScript',
        owner: 'Self',
        platforms: ['Linux', 'MacOS'],
        // Declared parameters of a simulated custom document are optional (a default of ''): release.yml
        // names only the parameter names, and a team's document may well have more than release sets.
        parameters: document.parameters.map((parameter) => ({Name: parameter, Type: 'String', Description: '', DefaultValue: ''})),
      })
    }
  }

  get(nameOrArn: string | undefined): DocumentSpec | undefined {
    return nameOrArn === undefined ? undefined : this.byName.get(documentName(nameOrArn))
  }
}

/** The version a custom document's invocation sets (see above), if any. */
export function customDocumentVersion(spec: DocumentSpec, parameters: Record<string, string[]>): string | undefined {
  if (spec.versionOf) return spec.versionOf(parameters)
  const named = spec.parameters.find((parameter) => parameter.Name.toLowerCase() === 'version')
  const value = named && parameters[named.Name]?.[0]
  if (value !== undefined && value !== '') return value
  for (const parameter of spec.parameters) {
    const first = parameters[parameter.Name]?.[0]
    if (first !== undefined && LOOKS_LIKE_VERSION.test(first)) return first
  }
  return undefined
}

export function describeDocumentShape(spec: DocumentSpec, createdAt: number): DocumentDescription {
  const hash = createHash('sha256').update(JSON.stringify({name: spec.name, parameters: spec.parameters})).digest('hex')
  return {
    Name: spec.name,
    Hash: hash,
    HashType: 'Sha256',
    Owner: spec.owner,
    CreatedDate: new Date(createdAt),
    Status: 'Active',
    DocumentVersion: '1',
    Description: spec.owner === 'Amazon' ? (spec.kind === 'custom' ? `${spec.name} (Amazon)` : `Run a ${spec.kind} script`) : `${spec.name} (simulated custom document)`,
    Parameters: spec.parameters.map(({AllowedValues: _allowed, ...parameter}) => ({...parameter}) as DocumentParameter),
    PlatformTypes: spec.platforms as DocumentDescription['PlatformTypes'],
    DocumentType: 'Command',
    SchemaVersion: '2.2',
    LatestVersion: '1',
    DefaultVersion: '1',
    DocumentFormat: 'JSON',
    Tags: [],
  }
}

/**
 * The parameters of a SendCommand or an association, checked as SSM does (InvalidParameters): every
 * name declared by the document, every parameter without a default given, values among the allowed
 * ones, StringMaps JSON objects, Booleans true or false. Shell documents also need their commands.
 */
export function validateParameters(spec: DocumentSpec, parameters: Record<string, string[]>): void {
  const declared = new Map(spec.parameters.map((parameter) => [parameter.Name, parameter]))
  const given = Object.entries(parameters).map(([name, values]) => {
    const parameter = declared.get(name)
    if (!parameter) throw errors.invalidParameters(`Parameter "${name}" is not defined in document ${spec.name}.`)
    return {name, parameter, values}
  })
  if (spec.kind === 'shell' || spec.kind === 'powershell') return
  const missing = spec.parameters.filter((p) => p.DefaultValue === undefined && (parameters[p.Name] ?? []).length === 0).map((p) => p.Name)
  if (missing.length > 0) throw errors.invalidParameters(`Parameters required: ${missing.join(', ')} (document ${spec.name}).`)
  for (const {name, parameter, values} of given) {
    for (const value of values) {
      if (parameter.AllowedValues && !parameter.AllowedValues.includes(value)) {
        throw errors.invalidParameters(`Parameter "${name}" has value "${value}" not in {${parameter.AllowedValues.join(', ')}} (document ${spec.name}).`)
      }
      if (parameter.Type === 'StringMap' && !isJsonObject(value)) throw errors.invalidParameters(`Parameter "${name}" must be a JSON object (StringMap), got "${value}" (document ${spec.name}).`)
      if (parameter.Type === 'Boolean' && value !== 'true' && value !== 'false') throw errors.invalidParameters(`Parameter "${name}" must be true or false (document ${spec.name}).`)
    }
  }
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text)
    return !!parsed && typeof parsed === 'object' && !Array.isArray(parsed)
  } catch {
    return false
  }
}
