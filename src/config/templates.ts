/**
 * The templates release.yml names, read and parsed before the schema runs (reading is async; the
 * schema's rules that need a template run synchronously after, on what this found).
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {parseTemplate, type CfnTemplate} from '../template/index.js'
import {displayPath, type ConfigProblem} from './errors.js'
import type {LoadedTemplate} from './schema/context.js'
import type {YamlSource} from './source.js'

export interface TemplateProblem extends ConfigProblem {
  /** Line in release.yml of the `template:` that names the file, to order it among the others. */
  order: number
  /** The target whose template it is. */
  target: string
}

export async function loadTemplates(
  source: YamlSource,
  where: {dir: string; cwd: string},
): Promise<{templates: Map<string, LoadedTemplate>; problems: TemplateProblem[]}> {
  const templates = new Map<string, LoadedTemplate>()
  const problems: TemplateProblem[] = []
  const parsed = new Map<string, CfnTemplate>()
  const targets = (source.data as {targets?: unknown} | null)?.targets
  if (!targets || typeof targets !== 'object' || Array.isArray(targets)) return {templates, problems}
  for (const [name, target] of Object.entries(targets)) {
    const written = (target as {template?: unknown} | null)?.template
    if (typeof written !== 'string' || written.trim() === '' || templates.has(written)) continue
    const line = source.spot(['targets', name, 'template'])?.valueLine ?? 1
    const file = path.resolve(where.dir, written)
    const shown = displayPath(file, where.cwd)
    let body: string
    try {
      body = await readFile(file, 'utf8')
    } catch (error) {
      const code = (error as {code?: string}).code
      const problem = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(error)})`
      problems.push({
        file: source.display,
        line,
        order: line,
        target: name,
        problem: `targets.${name}.template: template file ${shown} ${problem}; expected a CloudFormation template file`,
        hint: `Fix the path (it is relative to ${displayPath(where.dir, where.cwd) || '.'}) or create the template.`,
      })
      continue
    }
    let template = parsed.get(file)
    if (!template) {
      try {
        template = parseTemplate(body)
      } catch (error) {
        if (!(error instanceof Error)) throw error
        const at = (error as {line?: unknown}).line
        problems.push({
          file: shown,
          line: typeof at === 'number' && at > 0 ? at : undefined,
          order: line,
          target: name,
          problem: error.message,
          hint: `Fix the template ${shown} (template of target ${name} at ${source.display}:${line}).`,
        })
        continue
      }
      parsed.set(file, template)
    }
    templates.set(written, {path: file, body, shown, template})
  }
  return {templates, problems}
}
