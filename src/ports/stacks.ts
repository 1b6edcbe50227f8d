/** CloudFormation, as the strategies need it. Adapters: src/aws/stacks.ts. */

export interface StackInfo {
  name: string
  id: string
  /** CloudFormation's own status, e.g. CREATE_COMPLETE, ROLLBACK_COMPLETE, DELETE_IN_PROGRESS. */
  status: string
  statusReason?: string
  parameters: Record<string, string>
  outputs: Record<string, string>
  tags: Record<string, string>
  createdAt: number
}

export interface StackResourceInfo {
  logicalId: string
  type: string
  physicalId?: string
  status: string
}

export interface TemplateSummary {
  parameters: {key: string; hasDefault: boolean}[]
  /** Resource types by logical id, for choosing a strategy and refusing durable replacements. */
  resourceTypes: Record<string, string>
}

/** The end of a stack operation, read from the events that carry our ClientRequestToken. */
export interface StackOperationResult {
  ok: boolean
  status: string
  /** The first failure reason CloudFormation gave, e.g. "Resource creation cancelled". */
  reason?: string
}

export interface StackProgress {
  stackName: string
  status: string
  /** Resources done so far out of the template's total. */
  resourcesComplete: number
  resourcesTotal: number
}

export interface WaitOptions {
  /** Absolute deadline in ms on the injected clock. */
  deadline: number
  onProgress?: (progress: StackProgress) => void
}

export interface CreateStackInput {
  stackName: string
  templateBody: string
  parameters: Record<string, string>
  tags: Record<string, string>
  /** Deterministic (release id + step), so that a re-run after a crash re-attaches instead of creating twice. */
  token: string
}

/** One property of a stack resource that differs from its template (DescribeStackResourceDrifts). */
export interface ResourceDrift {
  logicalId: string
  type: string
  physicalId?: string
  /** MODIFIED or DELETED (CloudFormation's StackResourceDriftStatus). */
  status: string
  /** JSON path of the property, e.g. /Properties/MaxSize; absent when the resource was deleted. */
  property?: string
  expected?: string
  actual?: string
}

/** The end of a drift detection (DetectStackDrift, then its status, then the resource drifts). */
export interface StackDriftResult {
  /** IN_SYNC or DRIFTED (StackDriftStatus). */
  status: string
  drifts: ResourceDrift[]
}

export interface StackPort {
  validateTemplate(templateBody: string): Promise<TemplateSummary>
  /** Idempotent: a stack of that name created with the same token is left as it is. */
  createStack(input: CreateStackInput): Promise<void>
  waitForCreate(stackName: string, token: string, options: WaitOptions): Promise<StackOperationResult>
  /** Idempotent: an already deleted or absent stack is fine. */
  deleteStack(stackName: string, token: string): Promise<void>
  waitForDelete(stackName: string, token: string, options: WaitOptions): Promise<StackOperationResult>
  /** undefined when no live (non-deleted) stack has that name. */
  describeStack(stackName: string): Promise<StackInfo | undefined>
  /** Every live stack of the account and region, newest first (`release init` offers them). */
  listStacks(): Promise<StackInfo[]>
  /** Live stacks carrying tag key=value (e.g. release:target=web), newest first. */
  listStacksByTag(key: string, value: string): Promise<StackInfo[]>
  listResources(stackName: string): Promise<StackResourceInfo[]>
  /** Runs CloudFormation drift detection on a stack and waits (on the clock) for its result. Read-only. */
  detectDrift(stackName: string, options: {deadline: number}): Promise<StackDriftResult>
}
