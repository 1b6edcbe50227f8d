import {UserError} from '../errors.js'
import {MAX_VERSION_LENGTH, VERSION_FORM, versionProblem} from '../util/version.js'

export {MAX_VERSION_LENGTH}

/**
 * Returns the version unchanged when acceptable; otherwise UserError 'E_VERSION' naming the broken rule
 * (src/util/version.ts: the same rule checks the versions instances report).
 */
export function validateVersion(v: string): string {
  const problem = versionProblem(v)
  if (problem !== undefined) {
    throw new UserError('E_VERSION', `${problem}; a version is ${VERSION_FORM}`, `Pass a version made of ${VERSION_FORM}.`, 2)
  }
  return v
}
