/** State Manager associations, as `enforce:` needs them. Adapter: src/aws/associations.ts. */

export interface AssociationSpec {
  /** AssociationName: how release finds its association again (one per target). */
  name: string
  documentName: string
  parameters: Record<string, string[]>
  /** SSM targets, e.g. [{key: 'tag:aws:autoscaling:groupName', values: ['api-fleet']}]. */
  targets: {key: string; values: string[]}[]
  /** rate(...) or cron(...), as src/util/schedule.ts accepts them. */
  schedule: string
}

export interface Association extends AssociationSpec {
  associationId: string
  associationVersion: string
}

/** One instance in the association's latest run: Success is compliant, Failed is not, Pending/InProgress not yet known. */
export interface InstanceCompliance {
  instanceId: string
  status: string
  compliant: boolean | null
  at?: string
}

export interface AssociationPort {
  /** The association of that name (ListAssociations, then DescribeAssociation for its parameters), if any. */
  find(name: string): Promise<Association | undefined>
  /** CreateAssociation; an answer lost on the way is found again by name, never created twice. */
  create(spec: AssociationSpec): Promise<Association>
  /** UpdateAssociation with every field (SSM drops those left out); SSM runs the new version at once. */
  update(associationId: string, spec: AssociationSpec): Promise<Association>
  /** DeleteAssociation; one already gone (an answer lost on the way) counts as deleted. */
  remove(associationId: string): Promise<void>
  /**
   * Per instance, the latest run of the association (DescribeAssociationExecutions, then
   * DescribeAssociationExecutionTargets of the newest): one aggregate read for the fleet, where
   * ListComplianceItems takes one instance per call. Empty when it has not run yet.
   */
  compliance(associationId: string): Promise<{executedAt?: string; associationVersion?: string; instances: InstanceCompliance[]}>
}
