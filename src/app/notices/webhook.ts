/**
 * POSTs a notice to an incoming webhook as JSON: `text` for Slack and Microsoft Teams incoming
 * webhooks, the notice itself under `release` for anything else that reads JSON.
 */
import type {Notice} from '../../ports/notices.js'
import {textOf} from './text.js'

/** A webhook answer worth another attempt: the server's trouble, or a rate limit. */
export class WebhookError extends Error {
  override readonly name = 'WebhookError'
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message)
  }
}

export async function postWebhook(url: string, notice: Notice, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({text: textOf(notice), release: notice}),
    signal,
    redirect: 'error',
  })
  // The body is not needed: reading it frees the connection.
  await response.arrayBuffer().catch(() => undefined)
  if (response.ok) return
  throw new WebhookError(`answered HTTP ${response.status}`, response.status >= 500 || response.status === 429)
}
