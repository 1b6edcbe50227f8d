import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {LineCounter, parseDocument} from 'yaml'
import {ConfigError, displayPath} from './errors.js'
import {CONFIG_FILE_NAMES, configFileProblem, findConfig} from './find.js'
import {problemsOf} from './report.js'
import {resolveConfig} from './resolve.js'
import {runWithContext} from './schema/context.js'
import {releaseYml} from './schema/index.js'
import {YamlSource} from './source.js'
import {loadTemplates, type TemplateProblem} from './templates.js'
import type {ReleaseConfig} from './types.js'
import {cli} from '../util/cli-context.js'

export type {
  ImmutableTargetConfig,
  IncrementalTargetConfig,
  ReleaseConfig,
  SimulatedConfig,
  SimulatedDocument,
  SimulatedFleet,
  StateConfig,
  StrategyChoice,
  TargetConfig,
} from './types.js'
export {ConfigError, displayPath} from './errors.js'
export {DURATION_FORM, formatDuration, parseDuration} from './duration.js'
export {validateVersion, MAX_VERSION_LENGTH} from './version.js'
export {SHELL_DOCUMENTS, TARGET_GROUP_ARN, TARGET_NAME} from './schema/index.js'
export {checkPlaceholders, VERSION_PLACEHOLDER, type PlaceholderProblem} from './placeholders.js'

export {CONFIG_FILE_NAMES, findConfig, stateDirProblem} from './find.js'
export {targetOrError} from './targets.js'

/**
 * Reads and validates release.yml. `file` is the --config value: a file, or a directory holding
 * release.yml; when absent the config is looked for in cwd. The problems are one ConfigError listing
 * all of them, each `file:line:`; templates are read and parsed here, so a config that loads is one
 * that can be released.
 */
export interface LoadOptions {
  cwd?: string
  /**
   * For read-only commands: a target whose template cannot be read or parsed is left out (listed in
   * `unreadable`) instead of refusing the whole file, as long as another target remains.
   */
  leaveOutBrokenTemplates?: boolean
}

export async function loadConfig(file?: string, opts: LoadOptions = {}): Promise<ReleaseConfig> {
  const cwd = path.resolve(opts.cwd ?? cli().cwd)
  let resolved: string | undefined
  if (file === undefined || file === '') {
    resolved = findConfig(cwd)
    if (!resolved) {
      throw new ConfigError(
        CONFIG_FILE_NAMES[0],
        undefined,
        `no ${CONFIG_FILE_NAMES.join(' or ')} in ${cwd}`,
        `Run from the directory holding release.yml, or pass --config PATH (see examples/quickstart/release.yml).`,
      )
    }
  } else {
    resolved = path.resolve(cwd, file)
    if (await isDirectory(resolved)) {
      const inside = findConfig(resolved)
      if (!inside) {
        throw new ConfigError(
          displayPath(resolved, cwd),
          undefined,
          `is a directory without ${CONFIG_FILE_NAMES.join(' or ')}`,
          `Pass the path of the config file itself to --config.`,
        )
      }
      resolved = inside
    }
  }

  const shown = displayPath(resolved, cwd)
  const notAFile = configFileProblem(resolved)
  if (notAFile !== undefined) throw new ConfigError(shown, undefined, notAFile, `Pass the path of release.yml itself to --config.`)
  let text: string
  try {
    text = await readFile(resolved, 'utf8')
  } catch (error) {
    const code = (error as {code?: string}).code
    throw new ConfigError(
      shown,
      undefined,
      code === 'ENOENT' ? 'no such config file' : code === 'EACCES' || code === 'EPERM' ? `permission denied (${code})` : `cannot be read (${code ?? String(error)})`,
      code === 'ENOENT'
        ? `Check the --config path, or run from the directory holding release.yml.`
        : `Give the user running release read access to it (ls -l ${shown}).`,
    )
  }

  const lines = new LineCounter()
  const doc = parseDocument(text, {lineCounter: lines, prettyErrors: false, uniqueKeys: true})
  const syntax = doc.errors[0]
  if (syntax) {
    throw new ConfigError(
      shown,
      lines.linePos(syntax.pos[0]).line,
      `YAML syntax error: ${syntax.message}`,
      `Fix the YAML at that line: check indentation, quotes, and that every key appears once.`,
    )
  }
  const source = new YamlSource(shown, doc, lines)
  const dir = path.dirname(resolved)
  const loaded = await loadTemplates(source, {dir, cwd})
  const {data, templateProblems, unreadable} = opts.leaveOutBrokenTemplates ? leaveOutBroken(source.data, loaded.problems) : {data: source.data, templateProblems: loaded.problems, unreadable: []}
  const context = {templates: loaded.templates}
  const result = runWithContext(releaseYml, data, context)
  const problems = [
    ...source.problems.map((p) => ({...p, order: p.line ?? 0})),
    ...templateProblems,
    ...problemsOf(result.issues ?? [], source).map((p) => ({...p, order: p.line ?? 0})),
  ].sort((a, b) => a.order - b.order)
  if (problems.length > 0 || result.issues || !result.typed) {
    throw ConfigError.of(problems.length > 0 ? problems : [{file: shown, line: undefined, problem: 'not a valid release.yml', hint: 'See docs/config.md.'}])
  }
  const config = resolveConfig(result.value, resolved, context, source)
  return unreadable.length > 0 ? {...config, unreadable} : config
}

/** release.yml's data without the targets whose template is broken, unless that would leave none. */
function leaveOutBroken(data: unknown, problems: TemplateProblem[]) {
  const targets = (data as {targets?: unknown} | null)?.targets as Record<string, unknown> | undefined
  const broken = new Set(problems.map((p) => p.target))
  if (broken.size === 0 || !targets || Object.keys(targets).every((name) => broken.has(name))) return {data, templateProblems: problems, unreadable: []}
  const kept = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).filter(([name]) => !broken.has(name)))
  // What environments and `ephemeral:` say of a left-out target goes with it: those sections name
  // targets, and a reference to one that is left out would refuse the whole file again.
  const {environments, ephemeral} = data as {environments?: unknown; ephemeral?: unknown}
  const withoutBroken = (section: unknown) =>
    isRecord(section) && isRecord(section.targets) ? {...section, targets: kept(section.targets)} : section
  return {
    data: {
      ...(data as object),
      targets: kept(targets),
      ...(isRecord(environments) ? {environments: Object.fromEntries(Object.entries(environments).map(([env, e]) => [env, withoutBroken(e)]))} : {}),
      ...(ephemeral !== undefined ? {ephemeral: withoutBroken(ephemeral)} : {}),
    },
    templateProblems: [],
    unreadable: problems.map((p) => ({target: p.target, problem: `${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.problem}`})),
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory()
  } catch {
    return false
  }
}
