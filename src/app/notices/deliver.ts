/** One delivery of a notice to one destination: a webhook POST, an SNS Publish, an EventBridge PutEvents. */
import type {NotifyDestination} from '../../config/types.js'
import type {Account} from '../account.js'
import type {Deliver} from './notifier.js'
import {subjectOf} from './text.js'
import {postWebhook} from './webhook.js'

/**
 * Loads what a destination's delivery needs (the SNS or EventBridge client) before the first attempt's
 * timer starts: loading the SDK on a busy machine can take longer than an attempt may, and a publish
 * timed out only because its client was loading would be sent twice.
 */
export async function prepareDelivery(destination: NotifyDestination): Promise<void> {
  if ('webhook' in destination) return
  await import('../../aws/index.js')
}

export function delivererFor(account: Account): Deliver {
  return async (destination, notice, signal) => {
    if ('webhook' in destination) return postWebhook(destination.webhook, notice, signal)
    const {publishToTopic, putEvent} = await import('../../aws/index.js')
    const body = JSON.stringify(notice)
    if ('sns' in destination) {
      await publishToTopic(account.notices.sns, destination.sns, subjectOf(notice), body, notice.id)
      return
    }
    await putEvent(account.notices.eventBridge, destination.eventBridge, {source: 'release', detailType: `Release ${notice.event}`, detail: body})
  }
}
