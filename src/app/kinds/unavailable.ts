/**
 * The account not answering is not a problem of the template or the fleet. Before a release starts,
 * throttling that outlasted the retries, and transport errors (no connection, timeouts, AWS's own
 * server errors), are said for what they are: nothing was changed, and trying again later is the
 * next step. Only errors that really are about the template or the fleet get those labels.
 */
import {UserError} from '../../errors.js'
import {EXIT} from '../../ports/release.js'
import {retryKind} from '../../util/retry.js'
import {credentialsError} from '../credentials-error.js'

const TRANSPORT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH'])
const TRANSPORT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError'])

/** The UserError for an account that did not answer, or undefined for any other error. */
export function unavailableError(error: unknown, what: string): UserError | undefined {
  if (error === null || typeof error !== 'object') return undefined
  // Credentials AWS refused are no template or fleet problem either (E_AWS_CREDENTIALS).
  const credentials = credentialsError(error)
  if (credentials) return credentials
  const message = error instanceof Error ? error.message : String(error)
  const kind = retryKind(error)
  if (kind === 'throttling') {
    return new UserError(
      'E_THROTTLED',
      `AWS throttled ${what} and kept throttling through every retry (${message})`,
      'nothing was changed; run the same command again in a few minutes, or slow down other tools calling this account and region',
      EXIT.failed,
    )
  }
  const {name, code} = error as {name?: unknown; code?: unknown}
  const transport = (typeof code === 'string' && TRANSPORT_CODES.has(code)) || (typeof name === 'string' && TRANSPORT_NAMES.has(name))
  if (transport || kind === 'transient') {
    return new UserError(
      'E_AWS_UNAVAILABLE',
      `AWS did not answer ${what} (${typeof name === 'string' && name !== 'Error' ? `${name}: ` : ''}${message})`,
      'nothing was changed; check the network, the endpoint (AWS_ENDPOINT_URL) and the AWS Health Dashboard, then run the same command again',
      EXIT.failed,
    )
  }
  return undefined
}

/** Runs a check of the account; an unavailable account is reported as such, anything else as it was. */
export async function whileAvailable<T>(what: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check()
  } catch (error) {
    throw unavailableError(error, what) ?? error
  }
}
