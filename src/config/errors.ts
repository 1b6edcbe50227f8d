import path from 'node:path'
import {UserError} from '../errors.js'

/** One problem of release.yml (or of a file it names), at its line. */
export interface ConfigProblem {
  /** As shown: relative to the working directory when that is shorter. */
  file: string
  /** 1-based; undefined when the problem is the file itself (e.g. it does not exist). */
  line: number | undefined
  problem: string
  hint: string
}

const at = (p: Pick<ConfigProblem, 'file' | 'line'>) => `${p.file}${p.line === undefined ? '' : `:${p.line}`}`

/**
 * Problems in release.yml or a file it refers to, all of them at once. The message has one line per
 * problem, each starting with `file:line:` (editors and CI annotations jump there) and saying what
 * was expected; the hint says how to fix each. Exit code 2: nothing was changed. `file`, `line`,
 * `problem` are those of the first problem.
 */
export class ConfigError extends UserError {
  readonly problems: readonly ConfigProblem[]
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
    hint: string,
    more: readonly ConfigProblem[] = [],
  ) {
    const all = [{file, line, problem, hint}, ...more]
    super(
      'E_CONFIG',
      all.map((p) => `${at(p)}: ${p.problem}`).join('\n'),
      all.length === 1 ? hint : all.map((p) => `${at(p)}: ${p.hint}`).join('\n  '),
      2,
    )
    this.problems = all
  }

  static of(problems: readonly ConfigProblem[]): ConfigError {
    const [first, ...more] = problems
    if (!first) throw new Error('internal: ConfigError.of without a problem')
    return new ConfigError(first.file, first.line, first.problem, first.hint, more)
  }
}

/** A path as shown in messages: relative to cwd when that is shorter, else absolute. */
export function displayPath(file: string, cwd: string): string {
  const absolute = path.resolve(cwd, file)
  const relative = path.relative(cwd, absolute)
  return relative !== '' && relative.length < absolute.length ? relative : absolute
}
