/** `notify:` (top level, or on a target): where every release is told to the team. */
import * as v from 'valibot'
import {list, matching, optionalKey, section, text, withDefault} from './fields.js'
import {say} from './say.js'

/** arn:<partition>:sns:<region>:<account>:<topic name> */
export const SNS_TOPIC_ARN = /^arn:aws(?:-[a-z]+)*:sns:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/
/** arn:<partition>:events:<region>:<account>:event-bus/<bus name> */
export const EVENT_BUS_ARN = /^arn:aws(?:-[a-z]+)*:events:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:event-bus\/[A-Za-z0-9._/-]{1,256}$/

export function isWebhookUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== ''
  } catch {
    return false
  }
}

const webhook = v.pipe(
  text(),
  v.rawCheck(({dataset, addIssue}) => {
    if (dataset.typed && !isWebhookUrl(dataset.value)) {
      addIssue({
        message: say({
          kind: 'problem',
          text: `{path}: ${JSON.stringify(dataset.value.slice(0, 80))} is not an http(s) URL`,
          hint: 'Give the full URL of the incoming webhook, e.g. https://hooks.slack.com/services/T000/B000/XXXX.',
        }),
      })
    }
  }),
)

const snsTopic = matching(SNS_TOPIC_ARN, (value) => ({
  kind: 'problem',
  text: `{path}: ${JSON.stringify(value.slice(0, 120))} is not an SNS topic ARN`,
  hint: 'Write it as arn:aws:sns:<region>:<12-digit account>:<topic name> (aws sns list-topics shows them).',
}))

const eventBus = matching(EVENT_BUS_ARN, (value) => ({
  kind: 'problem',
  text: `{path}: ${JSON.stringify(value.slice(0, 120))} is not an EventBridge event bus ARN`,
  hint: 'Write it as arn:aws:events:<region>:<12-digit account>:event-bus/<bus name> (aws events list-event-buses shows them).',
}))

const DESTINATIONS = ['webhook', 'sns', 'eventBridge'] as const

const destination = v.pipe(
  section({
    webhook: optionalKey(webhook, 'An incoming webhook URL (http or https) that gets a JSON POST with a Slack-compatible `text` field and the notice under `release`: a Slack or Microsoft Teams incoming webhook works as is.'),
    sns: optionalKey(snsTopic, 'An SNS topic ARN, published to with the notice as JSON.'),
    eventBridge: optionalKey(eventBus, 'An EventBridge event bus ARN, put to with source `release` and detail-type `Release <event>`.'),
  }),
  v.rawCheck(({dataset, addIssue}) => {
    if (!dataset.typed) return
    const given = DESTINATIONS.filter((d) => dataset.value[d] !== undefined)
    if (given.length === 1) return
    addIssue({
      message: say({
        kind: 'problem',
        text: given.length === 0 ? '{path}: a notify entry has no destination' : `{path}: a notify entry has ${given.join(' and ')}; one destination an entry`,
        hint: 'Write each destination as its own entry: - webhook: URL, - sns: TOPIC_ARN or - eventBridge: BUS_ARN.',
      }),
    })
  }),
)

/** A list of destinations (also under environments:). */
export const notifyList = () => list(destination, {what: 'destinations', example: '[{webhook: https://hooks.slack.com/services/T000/B000/XXXX}]'})

export const notifyEntry = withDefault(
  notifyList(),
  [],
  'Where a notice goes when a release starts, pauses at a gate, is promoted, aborted, succeeds, rolls back or fails: a list of `- webhook: URL`, `- sns: TOPIC_ARN`, `- eventBridge: BUS_ARN`. At the top level for every target; on a target, in addition. With environments: `environments.<name>.notify` replaces the top-level list in that environment (`notify: []` keeps it quiet), and `environments.<name>.targets.<target>.notify` adds for that target. Delivery is retried with backoff and never holds up or fails a release (a delivery that gave up is a warning in the journal); a release resumed after a crash sends again only the notices no destination confirmed, each with the same `id` (in the JSON body; the deduplication id on an SNS FIFO topic) so that a receiver can drop one it already has; a confirmed notice is never sent twice.',
)

export type NotifyDestination = {webhook: string} | {sns: string} | {eventBridge: string}

/** The schema's entries as the app takes them: one destination each (the schema refuses an entry without one). */
export function destinations(written: {webhook?: string; sns?: string; eventBridge?: string}[]): NotifyDestination[] {
  return written.map((d) => {
    if (d.webhook !== undefined) return {webhook: d.webhook}
    if (d.sns !== undefined) return {sns: d.sns}
    if (d.eventBridge !== undefined) return {eventBridge: d.eventBridge}
    throw new Error('a notify entry without a webhook, sns or eventBridge destination passed the schema')
  })
}
