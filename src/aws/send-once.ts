/**
 * SendCommand is the one call of ours that is not idempotent: SSM has no client token for it, and a
 * second call runs the document a second time on every instance. When its answer is lost (a reset
 * or a timeout after SSM accepted it, an AWS server error) it may or may not have been carried out.
 * So each send carries a token of ours in its Comment, and before any new attempt the commands sent
 * since are looked up by that token: a command found is the answer that was lost, and it is not sent
 * again. Only when none carries the token is it sent anew.
 */
import {randomBytes} from 'node:crypto'
import type {Command, SendCommandCommandInput, SSMClient} from '@aws-sdk/client-ssm'
import {type RetryOptions, retryKind, withRetry} from '../util/retry.js'
import {noteEndpoint} from './retrying.js'
import {sdk} from './sdk.js'

const {paginateListCommands, SendCommandCommand} = sdk.ssm()

/** SSM refuses comments longer than this. */
export const MAX_COMMENT = 100

/**
 * How long after an attempt whose answer was lost the lookup waits at least: SSM lists a command it
 * accepted within moments, and a lookup made too early would send it again.
 */
export const LOOKUP_SETTLE_MS = 2_000

/** ListCommands answers at most 50 commands a page. */
const PAGE_SIZE = 50

/** A fresh token for one send: 12 hex digits, unique enough among the commands of minutes. */
export function sendToken(): string {
  return randomBytes(6).toString('hex')
}

/** The token first (`#<token> <comment>`): the cut to 100 characters takes the end of a long comment, never the token. */
export function tokenedComment(comment: string | undefined, token: string): string {
  const mark = `#${token}`
  return comment === undefined || comment === '' ? mark : `${mark} ${comment}`.slice(0, MAX_COMMENT)
}

export interface SendOnceOptions {
  /** The client without our retry: each attempt here is decided by the lookup first. */
  raw: SSMClient
  /** A retrying client for the lookup (ListCommands is a read, safe to repeat). */
  reader: SSMClient
  retry: RetryOptions
  /** ListCommands is asked for commands invoked after this (our clock, minus a slack for skew). */
  invokedAfter: (sentAt: number) => Date
}

/** Sends the command once, whatever the transport does; answers the command SSM accepted. */
export async function sendCommandOnce(input: SendCommandCommandInput, options: SendOnceOptions): Promise<Command> {
  const token = sendToken()
  const Comment = tokenedComment(input.Comment, token)
  const {clock} = options.retry
  const sentAt = clock.now()
  /** When the last attempt was made, and whether it may have been carried out. */
  let last: {at: number; maybeDone: boolean} | undefined
  return withRetry(async () => {
    if (last?.maybeDone) {
      const settle = last.at + LOOKUP_SETTLE_MS - clock.now()
      if (settle > 0) await clock.sleep(settle)
      const found = await findByToken(options.reader, token, options.invokedAfter(sentAt))
      if (found !== undefined) return found
    }
    last = {at: clock.now(), maybeDone: true}
    try {
      const out = await options.raw.send(noteEndpoint(new SendCommandCommand({...input, Comment})))
      if (out.Command?.CommandId === undefined) throw new Error('SendCommand answered without a command id')
      return out.Command
    } catch (error) {
      // A throttled call was refused before anything was done: no need to look for it.
      if (retryKind(error) === 'throttling') last.maybeDone = false
      throw error
    }
  }, options.retry)
}

/** The command sent since `invokedAfter` whose comment carries `token`, if SSM lists one. */
async function findByToken(reader: SSMClient, token: string, invokedAfter: Date): Promise<Command | undefined> {
  const mark = `#${token}`
  const pages = paginateListCommands(
    {client: reader, pageSize: PAGE_SIZE},
    {Filters: [{key: 'InvokedAfter', value: invokedAfter.toISOString().replace(/\.\d{3}Z$/, 'Z')}]},
  )
  for await (const page of pages) {
    const found = page.Commands?.find((command) => command.Comment?.startsWith(mark) === true && command.CommandId !== undefined)
    if (found !== undefined) return found
  }
  return undefined
}
