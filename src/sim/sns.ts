/** The SNS API of the simulated account: Publish to a topic it has. Loaded on the first SNS call. */
import type {PublishInput, PublishResponse} from '@aws-sdk/client-sns'
import {serviceHandler, type CommandHandler} from './dispatch.js'
import type {Model} from './model.js'
import {receive, topics} from './notices.js'
import {sdk} from '../aws/sdk.js'

const {InvalidParameterException, NotFoundException} = sdk.sns()

const metadata = () => ({httpStatusCode: 400})
/** SNS's limit on a message: 256 KiB. */
const MAX_MESSAGE_BYTES = 262_144

function publish(model: Model, input: PublishInput): PublishResponse {
  if (!input.TopicArn) throw new InvalidParameterException({message: 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter', $metadata: metadata()})
  const topic = topics(model)[input.TopicArn]
  if (!topic) throw new NotFoundException({message: 'Topic does not exist', $metadata: metadata()})
  if (!input.Message) throw new InvalidParameterException({message: 'Invalid parameter: Message Reason: Empty message', $metadata: metadata()})
  if (Buffer.byteLength(input.Message) > MAX_MESSAGE_BYTES) {
    throw new InvalidParameterException({message: 'Invalid parameter: Message too long', $metadata: metadata()})
  }
  return {MessageId: receive(topic, {body: input.Message, ...(input.Subject ? {subject: input.Subject} : {})}, model)}
}

const COMMANDS: Record<string, CommandHandler> = {Publish: publish}

export const handleSns = serviceHandler('sns', COMMANDS)
