import {
  type CommandInvocation,
  ListCommandsCommand,
  paginateListCommandInvocations,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm'
import type {Clock} from '../ports/clock.js'
import {type CommandPort, FAILED_INVOCATION_STATUSES, type InvocationResult, type SendCommandInput} from '../ports/commands.js'
import {type AdapterRetryOptions, chunk, errorName, retryingClient} from './retrying.js'

export interface SsmCommandsOptions {
  client: SSMClient
  clock: Clock
  /** Backoff and adaptive pacing of the Systems Manager calls (one budget for this adapter by default). */
  retry?: AdapterRetryOptions
}

/** SendCommand accepts at most 50 instance ids. */
export const INSTANCES_PER_COMMAND = 50

/** SSM refuses comments longer than this. */
const MAX_COMMENT = 100

const FAILED: ReadonlySet<string> = new Set([...FAILED_INVOCATION_STATUSES, 'ExecutionTimedOut'])

/** Right after SendCommand, SSM may not know the command or its invocations yet: that means "not yet". */
const NOT_YET_ERRORS = new Set(['InvocationDoesNotExist', 'InvalidCommandId'])

/**
 * Some chunks of a send were accepted before a later one failed. Their ids are here so that the caller
 * can remember (and poll, or wait out) the commands already running instead of losing them.
 */
export class PartialSendError extends Error {
  override readonly name = 'PartialSendError'
  constructor(
    readonly commandIds: string[],
    override readonly cause: unknown,
  ) {
    super(
      `Sent ${commandIds.length} command(s) (${commandIds.join(', ')}) before SendCommand failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    )
  }
}

export class SsmCommands implements CommandPort {
  private readonly ssm: SSMClient
  /** Targets of the commands this process sent, to report instances SSM has not listed yet as pending. */
  private readonly targets = new Map<string, string[]>()

  constructor(options: SsmCommandsOptions) {
    this.ssm = retryingClient(options.client, options.clock, 'ssm', options.retry)
  }

  async send(input: SendCommandInput): Promise<string[]> {
    const commandIds: string[] = []
    for (const instanceIds of chunk([...new Set(input.instanceIds)], INSTANCES_PER_COMMAND)) {
      try {
        const out = await this.ssm.send(
          new SendCommandCommand({
            DocumentName: input.documentName,
            InstanceIds: instanceIds,
            Parameters: input.parameters,
            Comment: input.comment?.slice(0, MAX_COMMENT),
          }),
        )
        const commandId = out.Command?.CommandId
        if (commandId === undefined) throw new Error('SendCommand answered without a command id')
        this.targets.set(commandId, instanceIds)
        commandIds.push(commandId)
      } catch (error) {
        if (commandIds.length > 0) throw new PartialSendError(commandIds, error)
        throw error
      }
    }
    return commandIds
  }

  async invocations(commandIds: string[]): Promise<InvocationResult[]> {
    const results: InvocationResult[] = []
    // One command at a time: polling many in parallel is what gets SSM to throttle.
    for (const commandId of commandIds) {
      const listed = await this.listInvocations(commandId)
      const seen = new Set<string>()
      for (const invocation of listed) {
        if (invocation.InstanceId === undefined || seen.has(invocation.InstanceId)) continue
        seen.add(invocation.InstanceId)
        results.push(toResult(invocation.InstanceId, invocation))
      }
      const targets = await this.commandTargets(commandId)
      for (const instanceId of targets) {
        if (!seen.has(instanceId)) results.push({instanceId, status: 'Pending', done: false, ok: false})
      }
    }
    return results
  }

  private async listInvocations(commandId: string): Promise<CommandInvocation[]> {
    const listed: CommandInvocation[] = []
    try {
      const pages = paginateListCommandInvocations({client: this.ssm}, {CommandId: commandId, Details: true})
      for await (const page of pages) listed.push(...(page.CommandInvocations ?? []))
    } catch (error) {
      if (!NOT_YET_ERRORS.has(errorName(error) ?? '')) throw error
    }
    return listed
  }

  /**
   * The instances a command was sent to. Known when this process sent it; otherwise (a resumed
   * release) read once with ListCommands, since a command's targets never change.
   */
  private async commandTargets(commandId: string): Promise<string[]> {
    const known = this.targets.get(commandId)
    if (known !== undefined) return known
    try {
      const out = await this.ssm.send(new ListCommandsCommand({CommandId: commandId}))
      const targets = out.Commands?.[0]?.InstanceIds ?? []
      if (targets.length > 0) this.targets.set(commandId, targets)
      return targets
    } catch (error) {
      if (NOT_YET_ERRORS.has(errorName(error) ?? '')) return []
      throw error
    }
  }
}

/**
 * SSM's Status is coarse (an undeliverable invocation may read "Failed" or "TimedOut"); StatusDetails
 * says what happened, so a failing detail is what we report, and any failing word in either is a failure.
 */
function toResult(instanceId: string, invocation: CommandInvocation): InvocationResult {
  const status = invocation.Status ?? 'Pending'
  const detail = invocation.StatusDetails?.replace(/\s+/g, '')
  const failed = FAILED.has(status) || (detail !== undefined && FAILED.has(detail))
  const output = (invocation.CommandPlugins ?? [])
    .map((p) => p.Output ?? '')
    .filter((o) => o.length > 0)
    .join('\n')
  return {
    instanceId,
    status: detail !== undefined && FAILED.has(detail) ? detail : status,
    done: failed || status === 'Success',
    ok: !failed && status === 'Success',
    ...(output.length > 0 ? {output} : {}),
  }
}
