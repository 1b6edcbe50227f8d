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

export interface SendCommandInput {
  documentName: string
  instanceIds: string[]
  parameters: Record<string, string[]>
  comment?: string
}

export interface InvocationResult {
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
  /** One aggregate read per command (ListCommandInvocations pages), never one call per instance. */
  invocations(commandIds: string[]): Promise<InvocationResult[]>
}
