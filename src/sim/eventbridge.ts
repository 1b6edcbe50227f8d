/** The EventBridge API of the simulated account: PutEvents to a bus it has. Loaded on the first call. */
import type {PutEventsRequest, PutEventsResponse, PutEventsResultEntry} from '@aws-sdk/client-eventbridge'
import {serviceHandler, type CommandHandler} from './dispatch.js'
import type {Model} from './model.js'
import {buses, receive} from './notices.js'
import {sdk} from '../aws/sdk.js'

const {EventBridgeServiceException} = sdk.eventBridge()

/** EventBridge's limit on entries in one PutEvents. */
const MAX_ENTRIES = 10

function putEvents(model: Model, input: PutEventsRequest): PutEventsResponse {
  const entries = input.Entries ?? []
  if (entries.length === 0 || entries.length > MAX_ENTRIES) {
    throw new EventBridgeServiceException({
      name: 'ValidationException',
      $fault: 'client',
      message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      $metadata: {httpStatusCode: 400},
    })
  }
  const known = buses(model)
  const results: PutEventsResultEntry[] = entries.map((entry) => {
    const name = entry.EventBusName ?? 'default'
    const bus = known[name] ?? Object.entries(known).find(([arn]) => arn.endsWith(`:event-bus/${name}`))?.[1]
    if (!bus) return {ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${name} does not exist.`}
    if (!entry.Source || !entry.DetailType || !entry.Detail) return {ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source, DetailType and Detail are required.'}
    return {EventId: receive(bus, {body: entry.Detail, source: entry.Source, detailType: entry.DetailType}, model)}
  })
  return {FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results}
}

const COMMANDS: Record<string, CommandHandler> = {PutEvents: putEvents}

export const handleEventBridge = serviceHandler('eventbridge', COMMANDS)
