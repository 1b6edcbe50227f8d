/** One delivery of a notice to one destination: a webhook POST, an SNS Publish, an EventBridge PutEvents. */
import type {Account} from '../account.js'
import type {Deliver} from './notifier.js'
import {subjectOf} from './text.js'
import {postWebhook} from './webhook.js'

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
