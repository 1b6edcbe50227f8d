import type {AssociationDescription, SSMClient} from '@aws-sdk/client-ssm'
import type {Association, AssociationPort, AssociationSpec, InstanceCompliance} from '../ports/associations.js'
import type {Clock} from '../ports/clock.js'
import {type AdapterRetryOptions, retryingClient} from './retrying.js'
import {sdk} from './sdk.js'

const {
  CreateAssociationCommand,
  DeleteAssociationCommand,
  DescribeAssociationCommand,
  DescribeAssociationExecutionsCommand,
  paginateDescribeAssociationExecutionTargets,
  paginateListAssociations,
  UpdateAssociationCommand,
} = sdk.ssm()

export interface SsmAssociationsOptions {
  client: SSMClient
  clock: Clock
  retry?: AdapterRetryOptions
}

/**
 * State Manager associations. CreateAssociation is not idempotent (two calls, two associations), so it
 * is sent once, without retries; when it fails, the association is looked up by name before the error
 * is believed: an answer lost on the way must not leave a second association applying a version.
 */
export class SsmAssociations implements AssociationPort {
  private readonly ssm: SSMClient
  private readonly raw: SSMClient

  constructor(options: SsmAssociationsOptions) {
    this.ssm = retryingClient(options.client, options.clock, 'ssm-associations', options.retry)
    this.raw = options.client
  }

  async find(name: string): Promise<Association | undefined> {
    const pages = paginateListAssociations({client: this.ssm, pageSize: 50}, {AssociationFilterList: [{key: 'AssociationName', value: name}]})
    for await (const page of pages) {
      const listed = (page.Associations ?? []).find((a) => a.AssociationName === name && a.AssociationId !== undefined)
      if (!listed) continue
      const out = await this.ssm.send(new DescribeAssociationCommand({AssociationId: listed.AssociationId}))
      return toAssociation(out.AssociationDescription)
    }
    return undefined
  }

  async create(spec: AssociationSpec): Promise<Association> {
    try {
      const out = await this.raw.send(new CreateAssociationCommand(request(spec)))
      return toAssociation(out.AssociationDescription)
    } catch (error) {
      const found = await this.find(spec.name).catch(() => undefined)
      if (found) return found
      throw error
    }
  }

  async update(associationId: string, spec: AssociationSpec): Promise<Association> {
    // Every field each time: UpdateAssociation overwrites what is left out with nothing. Sent again
    // after a lost answer, it only makes one more version of the same content.
    const out = await this.ssm.send(new UpdateAssociationCommand({AssociationId: associationId, ...request(spec)}))
    return toAssociation(out.AssociationDescription)
  }

  async remove(associationId: string): Promise<void> {
    try {
      await this.ssm.send(new DeleteAssociationCommand({AssociationId: associationId}))
    } catch (error) {
      // Sent again after an answer lost on the way, it finds the association already gone: done.
      if ((error as {name?: string}).name !== 'AssociationDoesNotExist') throw error
    }
  }

  async compliance(associationId: string): Promise<{executedAt?: string; associationVersion?: string; instances: InstanceCompliance[]}> {
    const executions = await this.ssm.send(new DescribeAssociationExecutionsCommand({AssociationId: associationId, MaxResults: 1}))
    const latest = executions.AssociationExecutions?.[0]
    if (!latest?.ExecutionId) return {instances: []}
    const instances: InstanceCompliance[] = []
    const pages = paginateDescribeAssociationExecutionTargets({client: this.ssm, pageSize: 50}, {AssociationId: associationId, ExecutionId: latest.ExecutionId})
    for await (const page of pages) {
      for (const t of page.AssociationExecutionTargets ?? []) {
        if (t.ResourceId === undefined) continue
        const status = t.Status ?? 'Pending'
        instances.push({
          instanceId: t.ResourceId,
          status,
          compliant: status === 'Success' ? true : status === 'Failed' || status === 'TimedOut' ? false : null,
          ...(t.LastExecutionDate ? {at: t.LastExecutionDate.toISOString()} : {}),
        })
      }
    }
    return {
      ...(latest.CreatedTime ? {executedAt: latest.CreatedTime.toISOString()} : {}),
      ...(latest.AssociationVersion ? {associationVersion: latest.AssociationVersion} : {}),
      instances: instances.sort((a, b) => a.instanceId.localeCompare(b.instanceId)),
    }
  }
}

function request(spec: AssociationSpec) {
  return {
    AssociationName: spec.name,
    Name: spec.documentName,
    Parameters: spec.parameters,
    Targets: spec.targets.map((t) => ({Key: t.key, Values: t.values})),
    ScheduleExpression: spec.schedule,
    ApplyOnlyAtCronInterval: false,
  }
}

function toAssociation(d: AssociationDescription | undefined): Association {
  if (!d?.AssociationId) throw new Error('State Manager answered without an association')
  return {
    associationId: d.AssociationId,
    associationVersion: d.AssociationVersion ?? '1',
    name: d.AssociationName ?? '',
    documentName: d.Name ?? '',
    parameters: (d.Parameters ?? {}),
    targets: (d.Targets ?? []).map((t) => ({key: t.Key ?? '', values: t.Values ?? []})),
    schedule: d.ScheduleExpression ?? '',
  }
}
