import {writeFileSync} from 'node:fs'

/**
 * Errors a user can fix: a stable code, a message naming the problem, and the next step. The CLI
 * prints them without a stack trace and exits with `exitCode` (2 for usage and configuration).
 */
export class UserError extends Error {
  override readonly name = 'UserError'
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    readonly exitCode: number = 2,
  ) {
    super(message)
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError
}

/** A UserError as data: what `--json` prints, and what a background release hands its parent. */
export interface ErrorData {
  code: string
  message: string
  next: string
  exitCode: number
}

export function errorData(error: UserError): ErrorData {
  return {code: error.code, message: error.message, next: error.hint, exitCode: error.exitCode}
}

/** The error as data, or undefined when `value` is not one. */
export function userErrorFromData(value: unknown): UserError | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const {code, message, next, exitCode} = value as Partial<Record<keyof ErrorData, unknown>>
  if (typeof code !== 'string' || typeof message !== 'string' || typeof next !== 'string' || typeof exitCode !== 'number') return undefined
  return new UserError(code, message, next, exitCode)
}

/**
 * The environment variable naming the file where a command writes its error as JSON (set by
 * `--detach` for the background process, whose parent reads it instead of parsing its stderr).
 */
export const ERROR_FILE_ENV = 'RELEASE_ERROR_FILE'

export function writeErrorFile(file: string, error: UserError): void {
  try {
    writeFileSync(file, JSON.stringify(errorData(error)) + '\n', {mode: 0o600})
  } catch {
    // The error is on stderr too: the parent falls back to the log.
  }
}
