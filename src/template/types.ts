/** The parts of a CloudFormation template that the simulated account and config validation read. */

export interface CfnParameter {
  Type: string
  Default?: string | number
  AllowedValues?: (string | number)[]
  AllowedPattern?: string
  Description?: string
  MinLength?: number
  MaxLength?: number
  /** Checked for Number parameters, as CloudFormation does. */
  MinValue?: number
  MaxValue?: number
  ConstraintDescription?: string
  NoEcho?: boolean
}

export interface CfnResource {
  Type: string
  Properties?: Record<string, unknown>
  DependsOn?: string | string[]
  DeletionPolicy?: string
  UpdateReplacePolicy?: string
  Condition?: string
  Metadata?: unknown
}

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string
  Description?: string
  Parameters: Record<string, CfnParameter>
  Resources: Record<string, CfnResource>
  Outputs: Record<string, {Value: unknown; Description?: string; Export?: unknown; Condition?: string}>
  Conditions?: Record<string, unknown>
  Mappings?: Record<string, unknown>
}

/**
 * Thrown for anything wrong with a template or its parameters. `message` reads like CloudFormation's
 * own ValidationError text (e.g. "Template format error: ..."), so the simulated account can return
 * it unchanged; `line` is 1-based when known.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError'
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message)
  }
}

export interface EvaluationContext {
  stackName: string
  stackId: string
  region: string
  accountId: string
  /** Resolved values of every parameter (see resolveParameters). */
  parameters: Record<string, string>
  /** What Ref to a resource returns. */
  physicalId(logicalId: string): string
  /** What Fn::GetAtt returns. */
  attribute(logicalId: string, attribute: string): string
}
