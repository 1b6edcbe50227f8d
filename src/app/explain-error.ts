/**
 * Errors that come from the machine or the AWS account around `release`, not from a bug in it: a
 * state directory it may not write, a read-only or full disk, AWS credentials that are missing,
 * expired or unknown. Each is said for what it is, with the next step, instead of "this looks like a
 * bug in release". (An account that does not answer is src/app/kinds/unavailable.ts.)
 */
import path from 'node:path'
import {UserError} from '../errors.js'
import {EXIT} from '../ports/release.js'
import {errnoOf, writeFailed} from '../util/state-file.js'
import {credentialsError} from './credentials-error.js'
import {unavailableError} from './kinds/unavailable.js'

const CONTINUE = 'an interrupted release continues with release resume <target>'

/** The UserError for a file system refusal (EACCES, EPERM, EROFS, ENOSPC, EDQUOT), or undefined. */
export function fileSystemError(error: unknown): UserError | undefined {
  const code = errnoOf(error)
  if (code === undefined) return undefined
  const {path: file, syscall} = error as {path?: unknown; syscall?: unknown}
  const where = typeof file === 'string' ? file : 'a file of release'
  const dir = typeof file === 'string' ? path.dirname(file) : 'the state directory'
  const doing = typeof syscall === 'string' ? ` (${syscall})` : ''
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserError(
      'E_PERMISSION',
      `permission denied: release may not use ${where}${doing}, ${code}`,
      `give the user running release read and write access to ${dir} (ls -ld ${dir}), or set stateDir in release.yml to a directory that user owns; then run the command again (${CONTINUE})`,
      EXIT.failed,
    )
  }
  if (code === 'EROFS') {
    return new UserError(
      'E_READ_ONLY_FS',
      `${where} is on a read-only file system${doing}, EROFS: release keeps its state there and must write it`,
      `set stateDir in release.yml to a directory on a writable disk (in CI: the workspace or a cache directory that persists between jobs); then run the command again (${CONTINUE})`,
      EXIT.failed,
    )
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') return writeFailed(where, error)
  return undefined
}

/** Any error of the environment explained, or undefined for one that really is unexpected. */
export function explainError(error: unknown, what = 'a request'): UserError | undefined {
  // A command that stopped on it may have been midway: the message says where to look.
  return fileSystemError(error) ?? credentialsError(error) ?? unavailableError(error, what, {changed: 'maybe'})
}
