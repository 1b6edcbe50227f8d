/**
 * AWS credentials that are missing, expired or not recognized, or an identity without the permission
 * for a call: a configuration of the machine or account running `release`, not a problem of the
 * template, the fleet or `release` itself.
 */
import {UserError} from '../errors.js'
import {EXIT} from '../ports/release.js'

const MISSING = new Set(['CredentialsProviderError'])
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired'])
// SNS names its refusal AuthorizationError; its SDK class is AuthorizationErrorException.
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'AuthorizationErrorException'])
const UNKNOWN = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidAccessKeyId', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignature'])

/** What to do once the credentials or the permission are fixed, by default. */
const AGAIN = 'run the same command again (an interrupted release continues with release resume <target>)'

/**
 * The UserError for AWS credentials that are missing, expired or not recognized, or for a permission
 * refused; undefined for any other error. `then`: what to do once that is fixed.
 */
export function credentialsError(error: unknown, then = AGAIN): UserError | undefined {
  if (error === null || typeof error !== 'object') return undefined
  const {name, Code, code} = error as {name?: unknown; Code?: unknown; code?: unknown}
  const id = [name, Code, code].find((n): n is string => typeof n === 'string' && (MISSING.has(n) || EXPIRED.has(n) || UNKNOWN.has(n) || DENIED.has(n)))
  if (id === undefined) return undefined
  const message = error instanceof Error ? error.message : String(error)
  if (DENIED.has(id)) {
    return new UserError(
      'E_AWS_ACCESS_DENIED',
      `AWS refused a call for lack of permission (${id}: ${message})`,
      `grant the identity in use (aws sts get-caller-identity) the permission the message names, or use credentials that have it; then ${then}`,
      EXIT.usage,
    )
  }
  const [what, next] = MISSING.has(id)
    ? [
        'no AWS credentials were found',
        'provide credentials the standard way (AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, aws sso login, or the CI job\'s role), or set account: simulated in release.yml to use the simulated account',
      ]
    : EXPIRED.has(id)
      ? ['the AWS credentials have expired', 'refresh them (aws sso login, or a new session token for the CI job)']
      : ['AWS does not recognize these credentials', 'check which credentials are in use (aws sts get-caller-identity) and the region; a key that was deleted or rotated needs replacing']
  return new UserError('E_AWS_CREDENTIALS', `${what} (${id}: ${message})`, `${next}; then ${then}`, EXIT.usage)
}
