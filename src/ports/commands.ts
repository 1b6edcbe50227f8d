/** Systems Manager Run Command, as the strategies need it. Adapter: src/aws/commands.ts. */

/** SSM's per-instance statuses that count as failures, strictly (Undeliverable is not a success). */
export const FAILED_INVOCATION_STATUSES = [
  'Failed',
  'Cancelled',
  'TimedOut',
  'Undeliverable',
  'DeliveryTimedOut',
  'InvalidPlatform',
  'AccessDenied',
  'Terminated',
] as const

/** Statuses of an invocation that never ran on its instance: the change did not reach it. */
export const UNDELIVERED_INVOCATION_STATUSES: ReadonlySet<string> = new Set(['Undeliverable', 'DeliveryTimedOut', 'InvalidPlatform', 'AccessDenied'])

/**
 * SendCommand's refusal of instances whose SSM agent is not registered (yet): InvalidInstanceId, a
 * client error the SDK does not retry. Right after launch it means "not yet"; looked for on the error
 * and on what it wraps (a send that failed after some of its chunks went through).
 */
export function isUnregisteredRefusal(error: unknown): boolean {
  let current = error
  for (let depth = 0; depth < 3 && current !== null && typeof current === 'object'; depth++) {
    if ((current as {name?: unknown}).name === 'InvalidInstanceId') return true
    current = (current as {cause?: unknown}).cause
  }
  return false
}

export interface SendCommandInput {
  documentName: string
  instanceIds: string[]
  parameters: Record<string, string[]>
  comment?: string
}

/** A command's aggregate counts, from one ListCommands page for many commands. */
export interface CommandSummary {
  commandId: string
  /** Pending | InProgress | Success | Failed | ... (SSM's words for the whole command). */
  status: string
  targetCount: number
  completedCount: number
  errorCount: number
  deliveryTimedOutCount: number
}

export interface InvocationResult {
  /** The command this invocation belongs to: an instance sent the same change twice has one per command. */
  commandId: string
  instanceId: string
  /** Pending | InProgress | Delayed | Success | Failed | ... (SSM's words). */
  status: string
  done: boolean
  ok: boolean
  output?: string
}

export interface CommandPort {
  /** Sends in chunks of at most 50 instances; returns the command ids, to be remembered before polling. */
  send(input: SendCommandInput): Promise<string[]>
  /**
   * One aggregate read per command (ListCommandInvocations pages), never one call per instance.
   * `withOutput` asks for the instances' standard output (Details), e.g. to read a version.
   */
  invocations(commandIds: string[], options?: {withOutput?: boolean}): Promise<InvocationResult[]>
  /**
   * Counts of many commands in as few calls as possible (ListCommands filtered by InvokedAfter, paged),
   * so that a poll reads the invocations of only the commands whose counts moved.
   */
  summaries(commandIds: string[], sentAfter: number): Promise<CommandSummary[]>
  /** Commands sent after `sentAfter` whose comment ends with `comment` (ListCommands, paged): what a crashed process sent. */
  sentWith(comment: string, sentAfter: number): Promise<{commandId: string; instanceIds: string[]}[]>
  /**
   * CancelCommand for these instances of a command: invocations not finished become Cancelling, then
   * Cancelled; finished ones stay. A command SSM no longer knows is nothing to cancel.
   */
  cancel(commandId: string, instanceIds: string[]): Promise<void>
  /**
   * An SSM document's parameter names, and those without a default value (which SSM requires);
   * undefined when no such document exists (DescribeDocument).
   */
  describeDocument(name: string): Promise<{parameters: string[]; required: string[]} | undefined>
  /** Managed instances carrying every tag given (DescribeInstanceInformation with tag filters): a fleet by EC2 tags. */
  instancesByTags(tags: Record<string, string>): Promise<string[]>
  /**
   * Those of these instances whose SSM agent is registered and Online (DescribeInstanceInformation):
   * an instance can be InService well before, or never (no instance profile, no route to SSM).
   */
  managedInstances(instanceIds: string[]): Promise<string[]>
}
