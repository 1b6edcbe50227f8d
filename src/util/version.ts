/**
 * The one rule of what a version is, shared by what users type (src/config/version.ts) and what
 * instances print (the incremental strategy reads versions back from them): a version is substituted
 * into commands run on instances, so it must be one plain shell word whatever its source.
 */

export const MAX_VERSION_LENGTH = 128
export const VERSION_FORM = `1 to ${MAX_VERSION_LENGTH} characters, only letters, digits and . _ + -, not starting with - and not . or .. (e.g. 1.4.2, 2026.01.07-rc1, v3+build.7)`

/**
 * Why `v` is not a version, or undefined when it is one: no quoting, globbing or splitting can happen
 * to it, it never reads as an option, and it is never `.` or `..`, which would name a directory
 * rather than a version in a path.
 */
export function versionProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return `the version is empty`
  if (v.length > MAX_VERSION_LENGTH) {
    return `version ${JSON.stringify(v.slice(0, 20) + '...')} is ${v.length} characters long, more than ${MAX_VERSION_LENGTH}`
  }
  const bad = /[^A-Za-z0-9._+-]/.exec(v)
  if (bad) {
    const char = bad[0]
    const shown = /\s/.test(char) ? JSON.stringify(char) : `'${char}'`
    return `version ${JSON.stringify(v)} contains ${shown} at position ${bad.index + 1}, which is not allowed`
  }
  if (v.startsWith('-')) return `version ${JSON.stringify(v)} starts with '-', so a command it is substituted into would read it as an option`
  if (v === '.' || v === '..') return `version ${JSON.stringify(v)} would name a directory in a path it is substituted into`
  return undefined
}

export function isVersion(v: unknown): v is string {
  return versionProblem(v) === undefined
}
