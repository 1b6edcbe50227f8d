import {UserError} from '../errors.js'

export const MAX_VERSION_LENGTH = 128
const VERSION_FORM = `1 to ${MAX_VERSION_LENGTH} characters, only letters, digits and . _ + -, not starting with - and not . or .. (e.g. 1.4.2, 2026.01.07-rc1, v3+build.7)`

/**
 * Returns the version unchanged when acceptable; otherwise UserError 'E_VERSION' naming the broken rule.
 * A version is substituted into commands run on instances (`install.sh --version {{version}}`), so it
 * is one plain shell word: no quoting, globbing or splitting can happen to it, it never reads as an
 * option, and it is never `.` or `..`, which would name a directory rather than a version in a path.
 */
export function validateVersion(v: string): string {
  if (typeof v !== 'string' || v.length === 0) {
    throw versionError(`the version is empty`)
  }
  if (v.length > MAX_VERSION_LENGTH) {
    throw versionError(`version ${JSON.stringify(v.slice(0, 20) + '...')} is ${v.length} characters long, more than ${MAX_VERSION_LENGTH}`)
  }
  const bad = /[^A-Za-z0-9._+-]/.exec(v)
  if (bad) {
    const char = bad[0]
    const shown = /\s/.test(char) ? JSON.stringify(char) : `'${char}'`
    throw versionError(`version ${JSON.stringify(v)} contains ${shown} at position ${bad.index + 1}, which is not allowed`)
  }
  if (v.startsWith('-')) {
    throw versionError(`version ${JSON.stringify(v)} starts with '-', so a command it is substituted into would read it as an option`)
  }
  if (v === '.' || v === '..') {
    throw versionError(`version ${JSON.stringify(v)} would name a directory in a path it is substituted into`)
  }
  return v
}

function versionError(problem: string): UserError {
  return new UserError('E_VERSION', `${problem}; a version is ${VERSION_FORM}`, `Pass a version made of ${VERSION_FORM}.`, 2)
}
