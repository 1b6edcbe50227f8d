/**
 * The account not answering is not a problem of the template or the fleet. Before a release starts,
 * throttling that outlasted the retries, and transport errors (no connection, timeouts, AWS's own
 * server errors), are said for what they are: nothing was changed, and trying again later is the
 * next step, naming the endpoint that could not be reached; an answer that is not AWS's (a proxy's
 * HTML page) is said to be one. Only errors that really are about the template or the fleet get
 * those labels.
 */
import {UserError} from '../../errors.js'
import {EXIT} from '../../ports/release.js'
import {retryKind} from '../../util/retry.js'
import {endpointOf, isTransportError, notAwsAnswer} from '../../util/transport.js'
import {credentialsError} from '../credentials-error.js'

export interface UnavailableOptions {
  /**
   * What the user is told about the account. Before a release starts nothing was changed; a command
   * that stopped midway says where to look instead.
   */
  changed?: 'nothing' | 'maybe'
}

/** The UserError for an account that did not answer, or answered something that is not AWS, or undefined for any other error. */
export function unavailableError(error: unknown, what: string, options: UnavailableOptions = {}): UserError | undefined {
  if (error === null || typeof error !== 'object') return undefined
  // Credentials AWS refused are no template or fleet problem either (E_AWS_CREDENTIALS).
  const credentials = credentialsError(error)
  if (credentials) return credentials
  const message = firstLine(error instanceof Error ? error.message : String(error))
  const state = options.changed === 'maybe' ? 'it may have stopped midway: see release status for where' : 'nothing was changed'
  const kind = retryKind(error)
  if (kind === 'throttling') {
    return new UserError(
      'E_THROTTLED',
      `AWS throttled ${what} and kept throttling through every retry (${message})`,
      `${state}; run the same command again in a few minutes, or slow down other tools calling this account and region`,
      EXIT.failed,
    )
  }
  const endpoint = endpointOf(error)
  const at = endpoint === undefined ? '' : ` at ${endpoint}`
  const answer = notAwsAnswer(error)
  if (answer !== undefined) {
    const type = answer.contentType === undefined ? '' : ` (${answer.contentType.split(';')[0]})`
    return new UserError(
      'E_NOT_AWS_ANSWER',
      `${endpoint ?? 'The endpoint'} answered ${what} with HTTP ${answer.status}${type}, which is not an AWS answer: a proxy, a captive portal or a wrong endpoint is in the way (${message})`,
      `${state}; check AWS_ENDPOINT_URL (or endpoint settings of the profile), the region, and any proxy between here and AWS (HTTPS_PROXY), then run the same command again`,
      EXIT.failed,
    )
  }
  const {name} = error as {name?: unknown}
  const transport = isTransportError(error) || kind === 'transport'
  if (transport || kind === 'transient') {
    const cause = `${typeof name === 'string' && name !== 'Error' ? `${name}: ` : ''}${message}`
    return new UserError(
      'E_AWS_UNAVAILABLE',
      transport
        ? `AWS could not be reached${at} for ${what}, through every retry (${cause})`
        : `AWS kept failing${at} with server errors for ${what}, through every retry (${cause})`,
      `${state}; check the network, the endpoint (AWS_ENDPOINT_URL, the region, a proxy) and the AWS Health Dashboard, then run the same command again`,
      EXIT.failed,
    )
  }
  return undefined
}

/** The SDK appends a hint about the raw response on a second line: not for the user. */
function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text
}

/** Runs a check of the account; an unavailable account is reported as such, anything else as it was. */
export async function whileAvailable<T>(what: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check()
  } catch (error) {
    throw unavailableError(error, what) ?? error
  }
}
