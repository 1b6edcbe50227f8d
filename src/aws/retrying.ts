import type {Clock} from '../ports/clock.js'
import {RetryBudget, type RetryOptions, withRetry} from '../util/retry.js'

/** Retry settings an adapter accepts; the clock comes from the adapter's own options. */
export type AdapterRetryOptions = Omit<RetryOptions, 'clock'>

interface Sends {
  send(...args: never[]): Promise<unknown>
}

interface MiddlewareHost {
  middlewareStack?: {add(middleware: unknown, options: {step: string; name: string}): void}
}

const NOTED = Symbol('endpointNoted')

/**
 * Notes on any error of this command the endpoint it was sent to (`error.endpoint`, a URL), so that
 * "could not reach" and "not an AWS answer" name the host the user has to check. A middleware of the
 * command, not of the client (shared with others); it sees the request once signed, where the SDK has
 * resolved AWS_ENDPOINT_URL and the region. Commands answered before that (the simulated account)
 * have no endpoint.
 */
export function noteEndpoint<T>(command: T): T {
  const host = command as MiddlewareHost & {[NOTED]?: true}
  if (host[NOTED] || host.middlewareStack === undefined) return command
  host[NOTED] = true
  host.middlewareStack.add(
    (next: (args: {request?: unknown}) => Promise<unknown>) => async (args: {request?: unknown}) => {
      try {
        return await next(args)
      } catch (error) {
        const url = requestUrl(args.request)
        if (url !== undefined && error !== null && typeof error === 'object' && !('endpoint' in error)) {
          Object.defineProperty(error, 'endpoint', {value: url, enumerable: false})
        }
        throw error
      }
    },
    {step: 'finalizeRequest', name: 'releaseNoteEndpoint'},
  )
  return command
}

function requestUrl(request: unknown): string | undefined {
  const r = request as {protocol?: string; hostname?: string; port?: number; path?: string} | undefined
  if (r?.hostname === undefined) return undefined
  const protocol = (r.protocol ?? 'https:').replace(/:?$/, ':')
  const path = r.path === undefined || r.path === '/' ? '' : r.path
  return `${protocol}//${r.hostname}${r.port !== undefined ? `:${r.port}` : ''}${path}`
}

/**
 * A view of an SDK client whose `send` goes through `withRetry`. It inherits from the client, so the
 * SDK's paginators accept it (they check `instanceof`) and every page they fetch is retried on our
 * clock too. The client itself is left untouched: others may share it. Every call it makes must be
 * safe to repeat (reads, and writes that are idempotent or checked by their caller): a transport
 * error may hide a call that was carried out. SendCommand is not; it goes through send-once.ts.
 */
export function retryingClient<C extends Sends>(
  client: C,
  clock: Clock,
  service: string,
  options: AdapterRetryOptions = {},
): C {
  const retry: RetryOptions = {...options, clock, budget: options.budget ?? new RetryBudget(service)}
  const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>
  const view = Object.create(client) as C
  Object.defineProperty(view, 'send', {
    value: (command: unknown, ...rest: unknown[]) => withRetry(() => send(noteEndpoint(command), ...rest), retry),
  })
  return view
}

/** The AWS error name (the SDK's exception classes carry the service's error code there). */
export function errorName(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined
  const name = (error as {name?: unknown}).name
  return typeof name === 'string' ? name : undefined
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (error !== null && typeof error === 'object') {
    const message = (error as {message?: unknown}).message
    if (typeof message === 'string') return message
  }
  return String(error)
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}
