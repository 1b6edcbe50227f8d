import path from 'node:path'
import {UserError} from '../errors.js'

/**
 * A problem in release.yml or a file it refers to. The message starts with `file:line:` (editors and
 * CI annotations jump there) and says what was expected; the hint says how to fix it. Exit code 2:
 * nothing was changed.
 */
export class ConfigError extends UserError {
  constructor(
    /** As shown: relative to the working directory when that is shorter. */
    readonly file: string,
    /** 1-based; undefined when the problem is the file itself (e.g. it does not exist). */
    readonly line: number | undefined,
    readonly problem: string,
    hint: string,
  ) {
    super('E_CONFIG', `${file}${line === undefined ? '' : `:${line}`}: ${problem}`, hint, 2)
  }
}

/** A path as shown in messages: relative to cwd when that is shorter, else absolute. */
export function displayPath(file: string, cwd: string): string {
  const absolute = path.resolve(cwd, file)
  const relative = path.relative(cwd, absolute)
  return relative !== '' && relative.length < absolute.length ? relative : absolute
}
