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
