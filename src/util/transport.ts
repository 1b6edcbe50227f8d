/**
 * Errors of the way to AWS rather than of AWS: the connection (reset, refused, timed out, no DNS
 * answer) or an answer that is not AWS's (a proxy's HTML error page, anything that does not parse as
 * the service's JSON or XML). They carry no AWS error code, so they are told apart here, once, for
 * the retry (src/util/retry.ts) and for the message the user reads (src/app/kinds/unavailable.ts).
 */

/** Node's socket and DNS error codes of a call that never got an answer. */
export const TRANSPORT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
])

/** Error names the SDK's HTTP handlers give timeouts and lost connections. */
export const TRANSPORT_NAMES: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
])

interface Shape {
  name?: unknown
  code?: unknown
  message?: unknown
  $fault?: unknown
  $metadata?: {httpStatusCode?: number}
  $response?: {statusCode?: number; headers?: Record<string, string | undefined>}
  /** Set by the adapters (src/aws/retrying.ts): where the call went. */
  endpoint?: unknown
}

function shape(error: unknown): Shape | undefined {
  return error !== null && typeof error === 'object' ? error : undefined
}

/** No answer at all: the connection failed, timed out, or the host name did not resolve. */
export function isTransportError(error: unknown): boolean {
  const e = shape(error)
  if (!e) return false
  return (typeof e.code === 'string' && TRANSPORT_CODES.has(e.code)) || (typeof e.name === 'string' && TRANSPORT_NAMES.has(e.name))
}

/**
 * An HTTP answer that is not an AWS answer. Every error the SDK builds from an AWS error body carries
 * `$fault`; an answer whose body did not parse (HTML where JSON or XML was expected) surfaces as the
 * parser's error with the HTTP status in `$metadata` and no `$fault`. A body that parsed but named no
 * error (a proxy's well-formed XML page) gets the status or UnknownError as its name.
 */
export function notAwsAnswer(error: unknown): {status: number; contentType?: string} | undefined {
  const e = shape(error)
  const status = e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode
  if (!e || status === undefined) return undefined
  const name = typeof e.name === 'string' ? e.name : ''
  const unparsed = e.$fault === undefined && (name === 'SyntaxError' || /Deserialization error|parse error/i.test(String(e.message ?? '')))
  const unnamed = /^(\d{3}|UnknownError)$/.test(name)
  if (!unparsed && !unnamed) return undefined
  const headers = e.$response?.headers ?? {}
  const contentType = Object.entries(headers).find(([key]) => key.toLowerCase() === 'content-type')?.[1]
  return {status, ...(contentType !== undefined ? {contentType} : {})}
}

/**
 * Worth another attempt as a transport problem: no answer, or a 5xx that is not AWS's (a proxy or
 * load balancer in front of the endpoint failing for a moment). A 4xx that is not AWS's is not: the
 * endpoint is wrong, and asking again changes nothing.
 */
export function isTransientTransport(error: unknown): boolean {
  if (isTransportError(error)) return true
  const answer = notAwsAnswer(error)
  return answer !== undefined && answer.status >= 500
}

/** The endpoint the adapters noted on the error (a URL), when they did. */
export function endpointOf(error: unknown): string | undefined {
  const endpoint = shape(error)?.endpoint
  return typeof endpoint === 'string' ? endpoint : undefined
}
