import type {Command, CommandInvocation, SSMClient} from '@aws-sdk/client-ssm'
import type {Clock} from '../ports/clock.js'
import {
  type CommandPort,
  type CommandSummary,
  FAILED_INVOCATION_STATUSES,
  type InvocationResult,
  type SendCommandInput,
} from '../ports/commands.js'
import {RetryBudget, type RetryOptions} from '../util/retry.js'
import {filterTimestamp, type InvocationSlice, invocationSlices, type KnownCommand} from './invocation-slices.js'
import {type AdapterRetryOptions, chunk, errorName, retryingClient} from './retrying.js'
import {sendCommandOnce} from './send-once.js'
import {sdk} from './sdk.js'

const {
  CancelCommandCommand,
  DescribeDocumentCommand,
  ListCommandsCommand,
  paginateDescribeInstanceInformation,
  paginateListCommandInvocations,
  paginateListCommands,
} = sdk.ssm()

export interface SsmCommandsOptions {
  client: SSMClient
  clock: Clock
  /** Backoff and adaptive pacing of the Systems Manager calls (one budget for this adapter by default). */
  retry?: AdapterRetryOptions
}

/** SendCommand accepts at most 50 instance ids. */
export const INSTANCES_PER_COMMAND = 50

const FAILED: ReadonlySet<string> = new Set([...FAILED_INVOCATION_STATUSES, 'ExecutionTimedOut'])

/** ListCommands and DescribeInstanceInformation answer at most 50 items a page. */
const PAGE_SIZE = 50

/**
 * How much earlier than `sentAfter` ListCommands is asked to look: our clock and SSM's may disagree,
 * and a command filtered out by a skew would read as Pending forever. A few more rows cost nothing.
 */
export const INVOKED_AFTER_SLACK_MS = 5 * 60_000

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
  /** SendCommand is not idempotent: it is sent without the retrying view, by sendCommandOnce. */
  private readonly raw: SSMClient
  private readonly retry: RetryOptions
  /** Targets of the commands this process sent, to report instances SSM has not listed yet as pending. */
  private readonly targets = new Map<string, string[]>()
  /** When SSM says each command was requested, its size and document: to list several in one time range. */
  private readonly known = new Map<string, KnownCommand>()

  constructor(options: SsmCommandsOptions) {
    // One budget for the reads and the sends: both are paced as one service.
    this.retry = {...options.retry, clock: options.clock, budget: options.retry?.budget ?? new RetryBudget('ssm')}
    this.ssm = retryingClient(options.client, options.clock, 'ssm', this.retry)
    this.raw = options.client
  }

  async send(input: SendCommandInput): Promise<string[]> {
    const commandIds: string[] = []
    for (const instanceIds of chunk([...new Set(input.instanceIds)], INSTANCES_PER_COMMAND)) {
      try {
        const command = await sendCommandOnce(
          {DocumentName: input.documentName, InstanceIds: instanceIds, Parameters: input.parameters, Comment: input.comment},
          {raw: this.raw, reader: this.ssm, retry: this.retry, invokedAfter: (sentAt) => new Date(sentAt - INVOKED_AFTER_SLACK_MS)},
        )
        const commandId = command.CommandId
        if (commandId === undefined) throw new Error(`SendCommand of ${input.documentName} answered without a CommandId`)
        this.targets.set(commandId, instanceIds)
        this.remember(command)
        commandIds.push(commandId)
      } catch (error) {
        if (commandIds.length > 0) throw new PartialSendError(commandIds, error)
        throw error
      }
    }
    return commandIds
  }

  async invocations(commandIds: string[], options: {withOutput?: boolean} = {}): Promise<InvocationResult[]> {
    const withOutput = options.withOutput === true
    const results: InvocationResult[] = []
    const listed = new Map<string, CommandInvocation[]>(commandIds.map((id) => [id, []]))
    // Commands requested close together are listed together, by time range (a page answers for
    // several); one listing at a time: polling many in parallel is what gets SSM to throttle.
    const slices = invocationSlices(commandIds, this.known, PAGE_SIZE)
    for (const slice of slices) {
      for (const invocation of await this.listSlice(slice, withOutput)) {
        if (invocation.CommandId !== undefined && slice.commandIds.includes(invocation.CommandId)) listed.get(invocation.CommandId)?.push(invocation)
      }
    }
    const sliced = new Set(slices.flatMap((slice) => slice.commandIds))
    for (const commandId of commandIds) {
      if (!sliced.has(commandId)) listed.get(commandId)?.push(...(await this.listInvocations(commandId, withOutput)))
    }
    for (const commandId of new Set(commandIds)) {
      const seen = new Set<string>()
      for (const invocation of listed.get(commandId) ?? []) {
        if (invocation.InstanceId === undefined || seen.has(invocation.InstanceId)) continue
        seen.add(invocation.InstanceId)
        results.push(toResult(commandId, invocation.InstanceId, invocation, withOutput))
      }
      const targets = await this.commandTargets(commandId)
      for (const instanceId of targets) {
        if (!seen.has(instanceId)) results.push({commandId, instanceId, status: 'Pending', done: false, ok: false})
      }
    }
    return results
  }

  async summaries(commandIds: string[], sentAfter: number): Promise<CommandSummary[]> {
    const wanted = new Set(commandIds)
    if (wanted.size === 0) return []
    const found = new Map<string, CommandSummary>()
    const invokedAfter = new Date(Math.floor((sentAfter - INVOKED_AFTER_SLACK_MS) / 1000) * 1000)
    const pages = paginateListCommands(
      {client: this.ssm, pageSize: PAGE_SIZE},
      {Filters: [{key: 'InvokedAfter', value: invokedAfter.toISOString().replace(/\.\d{3}Z$/, 'Z')}]},
    )
    for await (const page of pages) {
      for (const command of page.Commands ?? []) {
        const commandId = command.CommandId
        if (commandId === undefined || !wanted.has(commandId) || found.has(commandId)) continue
        found.set(commandId, toSummary(commandId, command))
        this.remember(command)
        if (command.InstanceIds !== undefined && command.InstanceIds.length > 0) this.targets.set(commandId, command.InstanceIds)
      }
      // Every asked command is found: the older ones on later pages are of no interest.
      if (found.size === wanted.size) break
    }
    return [...wanted].map(
      (commandId) =>
        found.get(commandId) ?? {
          commandId,
          // Just sent, SSM may not list it yet: not started, which is what Pending means.
          status: 'Pending',
          targetCount: 0,
          completedCount: 0,
          errorCount: 0,
          deliveryTimedOutCount: 0,
        },
    )
  }

  async sentWith(comment: string, sentAfter: number): Promise<{commandId: string; instanceIds: string[]}[]> {
    const invokedAfter = new Date(Math.floor((sentAfter - INVOKED_AFTER_SLACK_MS) / 1000) * 1000)
    const found: {commandId: string; instanceIds: string[]}[] = []
    const pages = paginateListCommands({client: this.ssm, pageSize: PAGE_SIZE}, {Filters: [{key: 'InvokedAfter', value: invokedAfter.toISOString().replace(/\.\d{3}Z$/, 'Z')}]})
    for await (const page of pages) {
      for (const command of page.Commands ?? []) {
        if (command.CommandId === undefined || !(command.Comment ?? '').endsWith(comment)) continue
        found.push({commandId: command.CommandId, instanceIds: command.InstanceIds ?? []})
        this.remember(command)
        if (command.InstanceIds !== undefined) this.targets.set(command.CommandId, command.InstanceIds)
      }
    }
    return found
  }

  async cancel(commandId: string, instanceIds: string[]): Promise<void> {
    // CancelCommand takes at most 50 instance ids; cancelling twice is harmless, so it may be retried.
    for (const batch of chunk([...new Set(instanceIds)], INSTANCES_PER_COMMAND)) {
      try {
        await this.ssm.send(new CancelCommandCommand({CommandId: commandId, InstanceIds: batch}))
      } catch (error) {
        if (!NOT_YET_ERRORS.has(errorName(error) ?? '')) throw error
      }
    }
  }

  async describeDocument(name: string): Promise<{parameters: string[]; required: string[]} | undefined> {
    try {
      const out = await this.ssm.send(new DescribeDocumentCommand({Name: name}))
      const declared = out.Document?.Parameters ?? []
      const parameters = declared.flatMap((p) => (p.Name === undefined ? [] : [p.Name]))
      const required = declared.flatMap((p) => (p.Name === undefined || p.DefaultValue !== undefined ? [] : [p.Name]))
      return {parameters, required}
    } catch (error) {
      if (errorName(error) === 'InvalidDocument') return undefined
      throw error
    }
  }

  async instancesByTags(tags: Record<string, string>): Promise<string[]> {
    const entries = Object.entries(tags)
    // Without a tag filter SSM lists every managed instance of the account: never a fleet.
    if (entries.length === 0) throw new Error('instancesByTags needs at least one tag')
    const ids = new Set<string>()
    const pages = paginateDescribeInstanceInformation(
      {client: this.ssm, pageSize: PAGE_SIZE},
      {Filters: entries.map(([key, value]) => ({Key: `tag:${key}`, Values: [value]}))},
    )
    for await (const page of pages) {
      for (const info of page.InstanceInformationList ?? []) {
        // Instances whose agent is not Online would only time out a command.
        if (info.InstanceId !== undefined && info.PingStatus === 'Online') ids.add(info.InstanceId)
      }
    }
    return [...ids].sort()
  }

  async managedInstances(instanceIds: string[]): Promise<string[]> {
    const ids = new Set<string>()
    // The InstanceIds filter takes at most 50 values.
    for (const batch of chunk([...new Set(instanceIds)], 50)) {
      const pages = paginateDescribeInstanceInformation({client: this.ssm, pageSize: PAGE_SIZE}, {Filters: [{Key: 'InstanceIds', Values: batch}]})
      for await (const page of pages) {
        for (const info of page.InstanceInformationList ?? []) {
          if (info.InstanceId !== undefined && info.PingStatus === 'Online') ids.add(info.InstanceId)
        }
      }
    }
    return [...ids]
  }

  /** What SSM recorded of a command, for listing it by time range with others (invocationSlices). */
  private remember(command: Command): void {
    const requestedAt = command.RequestedDateTime?.getTime()
    if (command.CommandId === undefined || requestedAt === undefined || command.DocumentName === undefined) return
    this.known.set(command.CommandId, {requestedAt, targets: command.TargetCount ?? command.InstanceIds?.length ?? 0, documentName: command.DocumentName})
  }

  /** The invocations of one time range's commands (theirs, and any other requested then with that document). */
  private async listSlice(slice: InvocationSlice, details: boolean): Promise<CommandInvocation[]> {
    const listed: CommandInvocation[] = []
    const Filters = [
      {key: 'InvokedAfter' as const, value: filterTimestamp(slice.after)},
      {key: 'InvokedBefore' as const, value: filterTimestamp(slice.before)},
      {key: 'DocumentName' as const, value: slice.documentName},
    ]
    const pages = paginateListCommandInvocations({client: this.ssm, pageSize: PAGE_SIZE}, {Filters, Details: details})
    for await (const page of pages) listed.push(...(page.CommandInvocations ?? []))
    return listed
  }

  private async listInvocations(commandId: string, details: boolean): Promise<CommandInvocation[]> {
    const listed: CommandInvocation[] = []
    try {
      // Details (the plugins' output) only when asked: without it the pages are much smaller.
      const pages = paginateListCommandInvocations({client: this.ssm}, {CommandId: commandId, Details: details})
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
      const command = out.Commands?.[0]
      if (command) this.remember(command)
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
function toResult(commandId: string, instanceId: string, invocation: CommandInvocation, withOutput: boolean): InvocationResult {
  const status = invocation.Status ?? 'Pending'
  const detail = invocation.StatusDetails?.replace(/\s+/g, '')
  const failed = FAILED.has(status) || (detail !== undefined && FAILED.has(detail))
  const output = withOutput ? outputOf(invocation) : undefined
  return {
    commandId,
    instanceId,
    status: detail !== undefined && FAILED.has(detail) ? detail : status,
    done: failed || status === 'Success',
    ok: !failed && status === 'Success',
    ...(output !== undefined ? {output} : {}),
  }
}

/**
 * The instance's output, trimmed. ListCommandInvocations carries it per plugin (the first, for the
 * one-step documents we send); StandardOutputContent is read too, should an answer carry it.
 * SSM keeps only the first 2,500 characters of it, and appends standard error when there is any.
 */
function outputOf(invocation: CommandInvocation): string | undefined {
  const standard = (invocation as {StandardOutputContent?: string}).StandardOutputContent
  const text = standard ?? invocation.CommandPlugins?.[0]?.Output
  const trimmed = text?.trim()
  return trimmed === undefined || trimmed.length === 0 ? undefined : trimmed
}

function toSummary(commandId: string, command: Command): CommandSummary {
  return {
    commandId,
    status: command.Status ?? 'Pending',
    targetCount: command.TargetCount ?? 0,
    completedCount: command.CompletedCount ?? 0,
    errorCount: command.ErrorCount ?? 0,
    deliveryTimedOutCount: command.DeliveryTimedOutCount ?? 0,
  }
}
