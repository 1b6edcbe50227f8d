/**
 * SNS topics and EventBridge buses of the simulated account: they exist when the account is opened
 * with them (set up outside releases) and record every message or event they receive, for `sim show`.
 */
import type {Model} from './model.js'
import type {ReceivedRecord} from './types.js'

/** What a topic or bus keeps, newest last: enough for a person to look, bounded for the state file. */
const KEEP = 200

export function topics(model: Model): Record<string, ReceivedRecord[]> {
  model.state.topics ??= {}
  return model.state.topics
}

export function buses(model: Model): Record<string, ReceivedRecord[]> {
  model.state.buses ??= {}
  return model.state.buses
}

export function seedNoticeTargets(model: Model, options: {topics?: string[]; buses?: string[]}): void {
  for (const arn of options.topics ?? []) topics(model)[arn] ??= []
  for (const arn of options.buses ?? []) buses(model)[arn] ??= []
}

export function receive(list: ReceivedRecord[], record: Omit<ReceivedRecord, 'id' | 'at'>, model: Model): string {
  const id = `${model.now.toString(16)}-${model.nextSeq()}`
  list.push({at: model.now, id, ...record})
  if (list.length > KEEP) list.splice(0, list.length - KEEP)
  return id
}
