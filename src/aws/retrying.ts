import type {Clock} from '../ports/clock.js'
import {RetryBudget, type RetryOptions, withRetry} from '../util/retry.js'

/** Retry settings an adapter accepts; the clock comes from the adapter's own options. */
export type AdapterRetryOptions = Omit<RetryOptions, 'clock'>

interface Sends {
  send(...args: never[]): Promise<unknown>
}

/**
 * A view of an SDK client whose `send` goes through `withRetry`. It inherits from the client, so the
 * SDK's paginators accept it (they check `instanceof`) and every page they fetch is retried on our
 * clock too. The client itself is left untouched: others may share it.
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
    value: (...args: unknown[]) => withRetry(() => send(...args), retry),
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
