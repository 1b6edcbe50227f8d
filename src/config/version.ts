import {UserError} from '../errors.js'

export const MAX_VERSION_LENGTH = 128
const VERSION_FORM = `1 to ${MAX_VERSION_LENGTH} characters, only letters, digits and . _ + - (e.g. 1.4.2, 2026.01.07-rc1, v3+build.7)`

/** Returns the version unchanged when acceptable; otherwise UserError 'E_VERSION' naming the broken rule. */
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
  return v
}

function versionError(problem: string): UserError {
  return new UserError('E_VERSION', `${problem}; a version is ${VERSION_FORM}`, `Pass a version made of ${VERSION_FORM}.`, 2)
}
