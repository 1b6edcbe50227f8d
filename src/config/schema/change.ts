/** `change:` of an incremental target — how an instance is changed through SSM Run Command. */
import * as v from 'valibot'
import {checkPlaceholders, VERSION_PLACEHOLDER} from '../placeholders.js'
import {suggest} from '../suggest.js'
import {refine} from './context.js'
import {list, named, optionalKey, section, text, withDefault} from './fields.js'
import {documentName, SHELL_DOCUMENTS} from './names.js'
import {say} from './say.js'

const SHELL_EXAMPLE = "['install.sh --version {{version}}']"
const shellLines = () => list(text(), {what: 'strings', example: SHELL_EXAMPLE})
const parameterValue = v.union(
  [v.string(), v.number(), v.array(v.union([v.string(), v.number()]))],
  say({kind: 'expected', what: 'a string or a list of strings', hint: 'Give {key} a value; quote it if it looks like true/false or null.'}),
)

export const changeEntries = {
  document: withDefault(
    documentName('value'),
    'AWS-RunShellScript',
    'The Run Command document (a name or an ARN; case-sensitive). `AWS-RunShellScript` or `AWS-RunPowerShellScript` run the shell lines of apply/verify/current; any other (`AWS-ApplyChefRecipes`, `AWS-ConfigureAWSPackage`, a document of your own) must exist in the account and receives the version in `versionParameter` or as `{{version}}` in `parameters`.',
  ),
  apply: optionalKey(list(text(), {what: 'strings', example: SHELL_EXAMPLE, nonEmpty: true}), 'Shell lines that put `{{version}}` on the instance. Shell documents only, and required with them.'),
  verify: optionalKey(shellLines(), 'Shell lines run right after `apply`, in the same command; a non-zero exit fails the instance. Shell documents only.'),
  current: optionalKey(shellLines(), 'Shell lines that print the version the instance runs now, as the first word of their output: planning records it, and a rollback puts it back. The answer must be a valid version (the rule of `--version`); one that is not is never used: the instance is reported as "previous version unknown" and a rollback puts the last known good version on it, or, without one, leaves it for a human with the reason. Without `current`, every instance is assumed to run the live version. Shell documents only.'),
  versionParameter: optionalKey(text(), 'The document parameter that receives the version. Documents other than the shell ones only; required with them unless a value of `parameters` holds `{{version}}`.'),
  parameters: optionalKey(
    named(v.string(), parameterValue),
    "The document's parameters: a string or a list of strings each, e.g. `RunList: 'recipe[app]'`. A value may hold `{{version}}`, replaced by the version being released (e.g. a cookbook archive's path), under the rules of shell lines: never inside backticks, `$(...)`, eval or `sh -c`. Every name must be a parameter the document declares (checked against the account before a release starts). Do not set `versionParameter` here.",
  ),
}

const isShell = (document: string) => (SHELL_DOCUMENTS as readonly string[]).includes(document)

export const change = v.pipe(
  section(changeEntries),
  refine<v.InferOutput<ReturnType<typeof section<typeof changeEntries>>>>((c, tell) => {
    const caseSlip = SHELL_DOCUMENTS.find((d) => d.toLowerCase() === c.document.toLowerCase() && d !== c.document)
    if (caseSlip) {
      tell({kind: 'problem', at: 'value', text: `{path}: no document "${c.document}"; SSM document names are case-sensitive`, hint: `Did you mean "${caseSlip}"?`}, ['document'])
      return
    }
    if (isShell(c.document)) {
      for (const key of ['versionParameter', 'parameters'] as const) {
        if (c[key] === undefined) continue
        tell(
          {
            kind: 'problem',
            at: 'key',
            text: `{path}: ${key} is for a custom document; with ${c.document} the commands in apply receive the version as {{version}}`,
            hint: `Remove ${key}, or set document to the custom SSM document that takes it.`,
          },
          [key],
        )
      }
      if (c.apply === undefined) tell({kind: 'missing', key: 'apply', what: 'the shell lines that put {{version}} on an instance'}, ['apply'])
      for (const key of ['apply', 'verify', 'current'] as const) {
        c[key]?.forEach((line, i) => {
          const problem = checkPlaceholders(line)
          if (problem) tell({kind: 'problem', at: 'value', index: problem.index, text: `{path}: ${problem.problem}`, hint: problem.hint}, [key, i])
        })
      }
      return
    }
    for (const key of ['apply', 'verify', 'current'] as const) {
      if (c[key] === undefined) continue
      tell(
        {
          kind: 'problem',
          at: 'key',
          text: `{path}: ${key} lists shell lines, which only ${SHELL_DOCUMENTS.join(' and ')} run; the custom document ${c.document} receives the version in its versionParameter`,
          hint: `Remove ${key}, or set document: AWS-RunShellScript to run shell lines.`,
        },
        [key],
      )
    }
    // {{version}} in a parameter value: the same placement rules as in a shell line, since a document
    // may well hand the value to a shell (AWS-ApplyChefRecipes' SourceInfo, a package's arguments).
    let versionInParameters = false
    for (const [name, value] of Object.entries(c.parameters ?? {})) {
      ;(Array.isArray(value) ? value : [value]).forEach((one, i) => {
        const line = String(one)
        if (line.includes(VERSION_PLACEHOLDER)) versionInParameters = true
        const problem = checkPlaceholders(line)
        if (problem) tell({kind: 'problem', at: 'value', index: problem.index, text: `{path}: ${problem.problem}`, hint: problem.hint}, Array.isArray(value) ? ['parameters', name, i] : ['parameters', name])
      })
    }
    if (c.versionParameter === undefined && versionInParameters) return
    if (c.versionParameter === undefined) {
      const near = suggest(c.document, SHELL_DOCUMENTS)
      tell(
        {
          kind: 'missing',
          key: 'versionParameter',
          near: 'document',
          what: `the parameter of document ${c.document} that receives the version, or {{version}} in a value of parameters${near ? `; or did you mean document: ${near}?` : ''}`,
        },
        ['versionParameter'],
      )
    } else if (c.parameters && Object.hasOwn(c.parameters, c.versionParameter)) {
      tell(
        {
          kind: 'problem',
          at: 'key',
          text: `{path}: sets the versionParameter ${c.versionParameter}, which release sets to the version being released`,
          hint: `Remove ${c.versionParameter} from parameters; pass the version to release rollout instead.`,
        },
        ['parameters', c.versionParameter],
      )
    }
  }),
)

export type ChangeOutput = v.InferOutput<typeof change>
