/**
 * SNS topics and EventBridge buses that release notices go to, over @aws-sdk/client-sns and
 * @aws-sdk/client-eventbridge, each loaded on first use only.
 */
import type {EventBridgeClient} from '@aws-sdk/client-eventbridge'
import type {SNSClient} from '@aws-sdk/client-sns'
import {sdk} from './sdk.js'

export type SnsClientFactory = () => Promise<SNSClient>
export type EventBridgeClientFactory = () => Promise<EventBridgeClient>

export function awsSnsClient(options: {region?: string} = {}): SnsClientFactory {
  return async () => {
    const {SNSClient} = sdk.sns()
    return new SNSClient({maxAttempts: 1, ...(options.region !== undefined ? {region: options.region} : {})})
  }
}

export function awsEventBridgeClient(options: {region?: string} = {}): EventBridgeClientFactory {
  return async () => {
    const {EventBridgeClient} = sdk.eventBridge()
    return new EventBridgeClient({maxAttempts: 1, ...(options.region !== undefined ? {region: options.region} : {})})
  }
}

/** Publishes one message to a topic; resolves with its MessageId. */
export async function publishToTopic(client: SnsClientFactory, topicArn: string, subject: string, message: string, dedupId?: string): Promise<string> {
  const sns = await client()
  const {PublishCommand} = sdk.sns()
  // SNS subjects: ASCII, no line breaks, at most 100 characters.
  const safeSubject = subject.replace(/[^\x20-\x7e]/g, ' ').slice(0, 100)
  // A FIFO topic drops a second message with the same deduplication id (within 5 minutes), and needs a
  // group; a standard topic takes neither. SNS ids: at most 128 characters of [A-Za-z0-9_-] and punctuation.
  const fifo = topicArn.endsWith('.fifo') && dedupId !== undefined
  const ids = fifo ? {MessageDeduplicationId: dedupId.replace(/[^\x21-\x7e]/g, '_').slice(0, 128), MessageGroupId: 'release'} : {}
  const answer = await sns.send(new PublishCommand({TopicArn: topicArn, Subject: safeSubject, Message: message, ...ids}))
  return answer.MessageId ?? ''
}

/** Puts one event on a bus; throws when EventBridge refused the entry (PutEvents answers 200 with a failed entry). */
export async function putEvent(client: EventBridgeClientFactory, busArn: string, event: {source: string; detailType: string; detail: string}): Promise<string> {
  const bridge = await client()
  const {PutEventsCommand} = sdk.eventBridge()
  const answer = await bridge.send(
    new PutEventsCommand({Entries: [{EventBusName: busArn, Source: event.source, DetailType: event.detailType, Detail: event.detail}]}),
  )
  const entry = answer.Entries?.[0]
  if (!entry || entry.ErrorCode || (answer.FailedEntryCount ?? 0) > 0) {
    throw new Error(`EventBridge refused the event: ${entry?.ErrorCode ?? 'no entry'}${entry?.ErrorMessage ? `: ${entry.ErrorMessage}` : ''}`)
  }
  return entry.EventId ?? ''
}
