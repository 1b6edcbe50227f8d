/** valibot's issues, told as release.yml problems: `file:line: path: what was expected, what was found`. */
import type * as v from 'valibot'
import {isScalar} from 'yaml'
import type {ConfigProblem} from './errors.js'
import {TOLD_ELSEWHERE} from './schema/context.js'
import {heard, type Noted} from './schema/say.js'
import {describe, dotted, type Key, type YamlSource} from './source.js'
import {suggest} from './suggest.js'

export function problemsOf(issues: readonly v.BaseIssue<unknown>[], source: YamlSource): ConfigProblem[] {
  const seen = new Set<string>()
  const out: ConfigProblem[] = []
  const told = issues
    .filter((issue) => issue.message !== TOLD_ELSEWHERE)
    .map((issue) => ({
      keys: (issue.path ?? []).map((item) => item.key as Key),
      said: heard(issue.message) ?? ({kind: 'problem', text: `{path}: ${issue.message}`, hint: 'See docs/config.md for the form of this key.', at: 'value'}),
    }))
  // A key written with a typo is also a required key missing: its did-you-mean says both.
  const misspelt = new Set(
    told.flatMap(({keys, said}) => {
      if (said.kind !== 'unknown') return []
      const near = suggest(said.key, said.allowed)
      return near ? [dotted([...keys.slice(0, -1), near])] : []
    }),
  )
  for (const {keys, said} of told) {
    if (said.kind === 'missing' && misspelt.has(dotted(keys))) continue
    const problem = tell(said, keys, source)
    const id = `${problem.line}\u0000${problem.problem}`
    if (seen.has(id)) continue
    seen.add(id)
    out.push(problem)
  }
  return out
}

function tell(said: Noted, keys: Key[], source: YamlSource): ConfigProblem {
  const path = dotted(keys)
  const parent = keys.slice(0, -1)
  const spot = source.spot(keys)
  const fill = (text: string) =>
    text
      .replaceAll('{path}', path)
      .replaceAll('{key}', String([...keys].reverse().find((k) => typeof k === 'string') ?? ''))
      .replaceAll('{target}', keys[0] === 'targets' ? String(keys[1]) : '')
      .replaceAll('{source}', spot?.node && isScalar(spot.node) ? String(spot.node.source ?? spot.node.value) : '')
  const withNote = (hint: string) => fill(said.note ? `${hint} ${said.note}` : hint)
  const at = (line: number, problem: string, hint: string): ConfigProblem => ({file: source.display, line, problem: fill(problem), hint: withNote(hint)})

  switch (said.kind) {
    case 'expected': {
      if (keys.length === 0) {
        return at(
          source.nearest([]).valueLine,
          `expected a mapping with at least "targets", got ${describe(spot?.node)}`,
          'Start from examples/quickstart/release.yml: it defines account, region and targets.',
        )
      }
      return at(spot?.valueLine ?? source.nearest(keys).keyLine, `${path}: expected ${said.what}, got ${describe(spot?.node)}`, said.hint)
    }
    case 'missing': {
      const line = spot?.keyLine ?? (said.near ? source.spot([...parent, said.near])?.keyLine : undefined) ?? source.nearest(parent).keyLine
      const where = dotted(parent)
      return at(line, `${where === '' ? '' : `${where}: `}missing ${said.key} (${said.what})`, `Add "${said.key}:" to ${where === '' ? 'the file' : where}.`)
    }
    case 'unknown': {
      const line = spot?.keyLine ?? source.nearest(keys).keyLine
      const where = parent.length === 0 ? 'at the top level' : `in ${dotted(parent)}`
      const {other} = said
      if (other && other.keys.includes(said.key)) {
        const own = other.strategy === 'immutable' ? 'incremental' : 'immutable'
        return at(
          line,
          `${path}: ${said.key} is a setting of ${other.strategy} targets, and {target} is ${own}`,
          `Remove ${said.key}, or set strategy: ${other.strategy} (or auto, to choose from the template's resources).`,
        )
      }
      const near = suggest(said.key, said.allowed)
      return at(
        line,
        `unknown key "${said.key}" ${where}; allowed keys: ${said.allowed.join(', ')}`,
        near ? `Did you mean "${near}"?` : `Remove "${said.key}" or rename it to one of: ${said.allowed.join(', ')}.`,
      )
    }
    case 'problem': {
      let text = said.text
      let line: number
      const absent = /\{absent:([^}]*)\}/
      if (!spot && said.absent) {
        text = text.replace(absent, '$1')
        line = source.spot([...parent, said.absent])?.valueLine ?? source.nearest(parent).keyLine
      } else {
        text = text.replace(absent, '')
        line = spot ? (said.at === 'key' ? spot.keyLine : spot.valueLine) : source.nearest(keys).keyLine
      }
      // A block literal (|) starts on the line after its indicator and keeps its lines as written.
      const node = spot?.node
      if (said.index !== undefined && node && isScalar(node) && node.type === 'BLOCK_LITERAL' && typeof node.value === 'string') {
        line += 1 + node.value.slice(0, said.index).split('\n').length - 1
      }
      return at(line, text, said.hint)
    }
  }
}
