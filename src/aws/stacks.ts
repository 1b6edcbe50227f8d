import type {CloudFormationClient, Stack, StackEvent} from '@aws-sdk/client-cloudformation'
import {UserError} from '../errors.js'
import type {Clock} from '../ports/clock.js'
import {EXIT} from '../ports/release.js'
import type {
  CreateStackInput,
  StackInfo,
  StackOperationResult,
  StackPort,
  StackDriftResult,
  StackProgress,
  StackResourceInfo,
  ResourceDrift,
  TemplateSummary,
  WaitOptions,
} from '../ports/stacks.js'
import {pollUntil} from '../util/poll.js'
import {type AdapterRetryOptions, errorMessage, errorName, retryingClient} from './retrying.js'
import {sdk} from './sdk.js'

const {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  DescribeStackDriftDetectionStatusCommand,
  DetectStackDriftCommand,
  paginateDescribeStackResourceDrifts,
  paginateDescribeStackEvents,
  paginateDescribeStacks,
  paginateListStackResources,
  ValidateTemplateCommand,
} = sdk.cloudFormation()

export interface CloudFormationStacksOptions {
  client: CloudFormationClient
  clock: Clock
  /** First interval between two looks at a stack during a wait. Default 5 s. */
  pollIntervalMs?: number
  /** The interval grows by half each look, up to this. Default 30 s. */
  maxPollIntervalMs?: number
  /** Backoff and adaptive pacing of the CloudFormation calls (one budget for this adapter by default). */
  retry?: AdapterRetryOptions
}

export const STACK_POLL_DEFAULTS = {intervalMs: 5_000, maxIntervalMs: 30_000} as const

/** Our stacks may create IAM roles; CloudFormation refuses them without this acknowledgement. */
const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] as const

/** Where a creation ends without a usable stack. */
const CREATE_FAILED_STATUSES = new Set([
  'CREATE_FAILED',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
  'DELETE_COMPLETE',
  'DELETE_FAILED',
])

/** CloudFormation's text for resources it stopped because another one failed: never the root cause. */
const CANCELLED_REASON = /^resource (creation|update|deletion) cancelled/i

/** CloudFormation answers "Stack with id X does not exist" as a ValidationError. */
export function isStackMissing(error: unknown): boolean {
  const name = errorName(error)
  if (name === 'StackNotFoundException') return true
  return name === 'ValidationError' && /does not exist/i.test(errorMessage(error))
}

export class CloudFormationStacks implements StackPort {
  private readonly cfn: CloudFormationClient
  private readonly clock: Clock
  private readonly intervalMs: number
  private readonly maxIntervalMs: number

  constructor(options: CloudFormationStacksOptions) {
    this.clock = options.clock
    this.cfn = retryingClient(options.client, options.clock, 'cloudformation', options.retry)
    this.intervalMs = options.pollIntervalMs ?? STACK_POLL_DEFAULTS.intervalMs
    this.maxIntervalMs = Math.max(this.intervalMs, options.maxPollIntervalMs ?? STACK_POLL_DEFAULTS.maxIntervalMs)
  }

  async validateTemplate(templateBody: string): Promise<TemplateSummary> {
    try {
      const out = await this.cfn.send(new ValidateTemplateCommand({TemplateBody: templateBody}))
      return {
        parameters: (out.Parameters ?? []).flatMap((p) =>
          p.ParameterKey === undefined ? [] : [{key: p.ParameterKey, hasDefault: p.DefaultValue !== undefined}],
        ),
        // ValidateTemplate does not name resources; we do not parse templates ourselves.
        resourceTypes: {},
      }
    } catch (error) {
      if (errorName(error) === 'ValidationError') {
        throw new UserError(
          'E_TEMPLATE',
          `CloudFormation refused the template: ${errorMessage(error)}`,
          'Fix the template and run the command again; nothing was changed.',
          EXIT.usage,
        )
      }
      throw error
    }
  }

  async createStack(input: CreateStackInput): Promise<void> {
    try {
      await this.cfn.send(
        new CreateStackCommand({
          StackName: input.stackName,
          TemplateBody: input.templateBody,
          Parameters: Object.entries(input.parameters).map(([ParameterKey, ParameterValue]) => ({
            ParameterKey,
            ParameterValue,
          })),
          Tags: Object.entries(input.tags).map(([Key, Value]) => ({Key, Value})),
          Capabilities: [...CAPABILITIES],
          ClientRequestToken: input.token,
        }),
      )
    } catch (error) {
      const name = errorName(error)
      if (name !== 'AlreadyExistsException' && name !== 'TokenAlreadyExistsException') throw error
      // A re-run after a crash: the stack is ours exactly when its events carry our token.
      if (await this.hasEventWithToken(input.stackName, input.token)) return
      throw new UserError(
        'E_STACK_EXISTS',
        `Stack ${input.stackName} already exists and was not created by this release step (token ${input.token}).`,
        `Delete stack ${input.stackName} if nothing needs it, or release under another release id.`,
        EXIT.failed,
      )
    }
  }

  async waitForCreate(stackName: string, token: string, options: WaitOptions): Promise<StackOperationResult> {
    const events = new OperationEvents(this.cfn, token, 'CREATE_IN_PROGRESS')
    const report = progressReporter(options.onProgress)
    let stackId: string | undefined
    return pollUntil<StackOperationResult>(
      async () => {
        const stack = await this.describeRaw(stackId ?? stackName)
        if (stack === undefined || stack.StackStatus === 'DELETE_COMPLETE') {
          if (stackId !== undefined) await events.refresh(stackId)
          return {
            ok: false,
            status: 'DELETE_COMPLETE',
            reason: events.firstFailure('CREATE_FAILED') ?? `Stack ${stackName} does not exist`,
          }
        }
        stackId = stack.StackId ?? stackId
        await events.refresh(stackId ?? stackName)
        const status = stack.StackStatus ?? 'UNKNOWN'
        const {complete, seen} = events.resources(['CREATE_COMPLETE'])
        report({stackName, status, resourcesComplete: complete, resourcesTotal: seen})
        // A stack that has moved on to updates or imports was created first.
        if (status === 'CREATE_COMPLETE' || status.startsWith('UPDATE_') || status.startsWith('IMPORT_')) {
          return {ok: true, status}
        }
        if (CREATE_FAILED_STATUSES.has(status)) {
          return {ok: false, status, reason: events.firstFailure('CREATE_FAILED') ?? stack.StackStatusReason}
        }
        return undefined
      },
      {
        clock: this.clock,
        deadline: options.deadline,
        intervalMs: this.intervalMs,
        maxIntervalMs: this.maxIntervalMs,
        what: `stack ${stackName} to finish creating`,
      },
    )
  }

  async deleteStack(stackName: string, token: string): Promise<void> {
    try {
      await this.cfn.send(new DeleteStackCommand({StackName: stackName, ClientRequestToken: token}))
    } catch (error) {
      if (isStackMissing(error)) return
      // TokenAlreadyExistsException means the token served another operation (a retried DeleteStack
      // with its own token just succeeds): a caller's mistake, so it surfaces.
      throw error
    }
  }

  async waitForDelete(stackName: string, token: string, options: WaitOptions): Promise<StackOperationResult> {
    const first = await this.describeRaw(stackName)
    if (first === undefined || first.StackStatus === 'DELETE_COMPLETE') return {ok: true, status: 'DELETE_COMPLETE'}
    // Follow the stack by id: by name it vanishes once deleted, by id it reports DELETE_COMPLETE.
    const stackId = first.StackId ?? stackName
    const total = (await this.listResources(stackId)).filter((r) => r.status !== 'DELETE_COMPLETE').length
    const events = new OperationEvents(this.cfn, token, 'DELETE_IN_PROGRESS')
    const report = progressReporter(options.onProgress)
    return pollUntil<StackOperationResult>(
      async () => {
        const stack = await this.describeRaw(stackId)
        if (stack === undefined) return {ok: true, status: 'DELETE_COMPLETE'}
        await events.refresh(stackId)
        const status = stack.StackStatus ?? 'UNKNOWN'
        const {complete, seen} = events.resources(['DELETE_COMPLETE', 'DELETE_SKIPPED'])
        report({stackName, status, resourcesComplete: complete, resourcesTotal: Math.max(total, seen)})
        if (status === 'DELETE_COMPLETE') return {ok: true, status}
        if (status === 'DELETE_FAILED') {
          return {ok: false, status, reason: events.firstFailure('DELETE_FAILED') ?? stack.StackStatusReason}
        }
        return undefined
      },
      {
        clock: this.clock,
        deadline: options.deadline,
        intervalMs: this.intervalMs,
        maxIntervalMs: this.maxIntervalMs,
        what: `stack ${stackName} to finish deleting`,
      },
    )
  }

  async describeStack(stackName: string): Promise<StackInfo | undefined> {
    const stack = await this.describeRaw(stackName)
    if (stack === undefined || stack.StackStatus === 'DELETE_COMPLETE') return undefined
    return toStackInfo(stack)
  }

  async listStacksByTag(key: string, value: string): Promise<StackInfo[]> {
    return (await this.listStacks()).filter((stack) => Object.hasOwn(stack.tags, key) && stack.tags[key] === value)
  }

  async listStacks(): Promise<StackInfo[]> {
    const found: StackInfo[] = []
    for await (const page of paginateDescribeStacks({client: this.cfn}, {})) {
      for (const stack of page.Stacks ?? []) {
        if (stack.StackStatus !== 'DELETE_COMPLETE') found.push(toStackInfo(stack))
      }
    }
    return found.sort((a, b) => b.createdAt - a.createdAt)
  }

  /** The stack's resources; none when the stack does not exist. */
  async detectDrift(stackName: string, options: {deadline: number}): Promise<StackDriftResult> {
    const started = await this.cfn.send(new DetectStackDriftCommand({StackName: stackName}))
    const detectionId = started.StackDriftDetectionId
    if (!detectionId) throw new Error(`DetectStackDrift on ${stackName} returned no detection id`)
    const status = await pollUntil(
      async () => {
        const s = await this.cfn.send(new DescribeStackDriftDetectionStatusCommand({StackDriftDetectionId: detectionId}))
        if (s.DetectionStatus === 'DETECTION_IN_PROGRESS') return undefined
        // DETECTION_FAILED still reports the resources it could check; a stack status it could not give is a failure.
        if (s.DetectionStatus === 'DETECTION_FAILED' && !s.StackDriftStatus) {
          throw new Error(`drift detection of ${stackName} failed: ${s.DetectionStatusReason ?? 'no reason given'}`)
        }
        return s.StackDriftStatus ?? 'UNKNOWN'
      },
      {clock: this.clock, deadline: options.deadline, intervalMs: this.intervalMs, maxIntervalMs: this.maxIntervalMs, what: `drift detection of stack ${stackName}`},
    )
    const drifts: ResourceDrift[] = []
    if (status !== 'DRIFTED') return {status, drifts}
    const pages = paginateDescribeStackResourceDrifts({client: this.cfn}, {StackName: stackName, StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED']})
    for await (const page of pages) {
      for (const r of page.StackResourceDrifts ?? []) {
        const base = {logicalId: r.LogicalResourceId ?? '', type: r.ResourceType ?? '', physicalId: r.PhysicalResourceId, status: r.StackResourceDriftStatus ?? 'UNKNOWN'}
        const differences = r.PropertyDifferences ?? []
        if (differences.length === 0) drifts.push(base)
        for (const d of differences) drifts.push({...base, property: d.PropertyPath, expected: d.ExpectedValue, actual: d.ActualValue})
      }
    }
    return {status, drifts}
  }

  async listResources(stackName: string): Promise<StackResourceInfo[]> {
    const resources: StackResourceInfo[] = []
    try {
      for await (const page of paginateListStackResources({client: this.cfn}, {StackName: stackName})) {
        for (const r of page.StackResourceSummaries ?? []) {
          resources.push({
            logicalId: r.LogicalResourceId ?? '',
            type: r.ResourceType ?? '',
            physicalId: r.PhysicalResourceId,
            status: r.ResourceStatus ?? 'UNKNOWN',
          })
        }
      }
    } catch (error) {
      if (isStackMissing(error)) return []
      throw error
    }
    return resources
  }

  private async describeRaw(stackRef: string): Promise<Stack | undefined> {
    try {
      const out = await this.cfn.send(new DescribeStacksCommand({StackName: stackRef}))
      return out.Stacks?.[0]
    } catch (error) {
      if (isStackMissing(error)) return undefined
      throw error
    }
  }

  private async hasEventWithToken(stackName: string, token: string): Promise<boolean> {
    try {
      for await (const page of paginateDescribeStackEvents({client: this.cfn}, {StackName: stackName})) {
        if (page.StackEvents?.some((e) => e.ClientRequestToken === token)) return true
      }
    } catch (error) {
      if (isStackMissing(error)) return false
      throw error
    }
    return false
  }
}

function toStackInfo(stack: Stack): StackInfo {
  const parameters: Record<string, string> = {}
  for (const p of stack.Parameters ?? []) {
    if (p.ParameterKey !== undefined) parameters[p.ParameterKey] = p.ResolvedValue ?? p.ParameterValue ?? ''
  }
  const outputs: Record<string, string> = {}
  for (const o of stack.Outputs ?? []) if (o.OutputKey !== undefined) outputs[o.OutputKey] = o.OutputValue ?? ''
  const tags: Record<string, string> = {}
  for (const t of stack.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? ''
  return {
    name: stack.StackName ?? '',
    id: stack.StackId ?? '',
    status: stack.StackStatus ?? 'UNKNOWN',
    statusReason: stack.StackStatusReason,
    parameters,
    outputs,
    tags,
    createdAt: stack.CreationTime?.getTime() ?? 0,
  }
}

/** The event about the stack itself, as opposed to one of its resources (nested stacks included). */
function isStackEvent(event: StackEvent): boolean {
  if (event.PhysicalResourceId !== undefined && event.PhysicalResourceId === event.StackId) return true
  return event.LogicalResourceId === event.StackName && event.ResourceType === 'AWS::CloudFormation::Stack'
}

/**
 * The events of one stack operation, told apart by its ClientRequestToken and read incrementally:
 * DescribeStackEvents lists newest first, so each refresh stops paging at the first event already seen
 * or at the event that started the operation.
 */
class OperationEvents {
  /** Ours, oldest first. */
  private readonly ours: StackEvent[] = []
  private readonly seen = new Set<string>()

  constructor(
    private readonly cfn: CloudFormationClient,
    private readonly token: string,
    private readonly startStatus: string,
  ) {}

  async refresh(stackRef: string): Promise<void> {
    const fresh: StackEvent[] = []
    try {
      pages: for await (const page of paginateDescribeStackEvents({client: this.cfn}, {StackName: stackRef})) {
        for (const event of page.StackEvents ?? []) {
          if (event.EventId !== undefined) {
            if (this.seen.has(event.EventId)) break pages
            this.seen.add(event.EventId)
          }
          if (event.ClientRequestToken !== this.token) continue
          fresh.push(event)
          if (isStackEvent(event) && event.ResourceStatus === this.startStatus) break pages
        }
      }
    } catch (error) {
      if (!isStackMissing(error)) throw error
    }
    this.ours.push(...fresh.reverse())
  }

  /** Resources this operation touched, and how many of them reached one of `doneStatuses`. */
  resources(doneStatuses: string[]): {complete: number; seen: number} {
    const latest = new Map<string, string>()
    for (const event of this.ours) {
      if (isStackEvent(event) || event.LogicalResourceId === undefined) continue
      latest.set(event.LogicalResourceId, event.ResourceStatus ?? '')
    }
    let complete = 0
    for (const status of latest.values()) if (doneStatuses.includes(status)) complete++
    return {complete, seen: latest.size}
  }

  /**
   * The root cause: the oldest resource failure that is not a mere cancellation, else the oldest
   * failure at all. The stack's own failure text ("The following resource(s) failed...", "Rollback
   * requested by user") only summarises it, so it comes last.
   */
  firstFailure(failedStatus: string): string | undefined {
    const failures = this.ours.filter((e) => e.ResourceStatus === failedStatus && e.ResourceStatusReason)
    const ofResources = failures.filter((e) => !isStackEvent(e))
    const rootCause = ofResources.find((e) => !CANCELLED_REASON.test(e.ResourceStatusReason ?? ''))
    return (rootCause ?? ofResources[0] ?? failures[0])?.ResourceStatusReason
  }
}

/** Reports progress only when something changed, so CI logs get one line per change. */
function progressReporter(onProgress: ((p: StackProgress) => void) | undefined): (p: StackProgress) => void {
  let last = ''
  return (progress) => {
    if (onProgress === undefined) return
    const key = `${progress.status}:${progress.resourcesComplete}/${progress.resourcesTotal}`
    if (key === last) return
    last = key
    onProgress(progress)
  }
}
