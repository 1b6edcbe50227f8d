import type {
  DescribeStackDriftDetectionStatusInput,
  DescribeStackDriftDetectionStatusOutput,
  DescribeStackResourceDriftsInput,
  DescribeStackResourceDriftsOutput,
  DetectStackDriftInput,
  DetectStackDriftOutput,
  StackResourceDriftStatus,
} from '@aws-sdk/client-cloudformation'
import {cloudFormationErrors as errors} from './errors.js'
import type {Model} from './model.js'
import {requireStack, resourcesInOrder} from './stacks.js'

/**
 * CloudFormation drift detection as AWS documents it: DetectStackDrift starts a detection and returns
 * its id, DescribeStackDriftDetectionStatus reports it, DescribeStackResourceDrifts lists what differs.
 * What differs is what `release sim drift stack` changed outside CloudFormation (StackRecord.drifts).
 */

export function detectStackDrift(model: Model, input: DetectStackDriftInput): DetectStackDriftOutput {
  const stack = requireStack(model, input.StackName, false)
  if (stack.status.endsWith('_IN_PROGRESS')) {
    throw errors.validation(`Drift detection is not supported for stack ${stack.name} in status ${stack.status}`)
  }
  const drifted = Object.values(stack.drifts ?? {}).some((list) => list.length > 0)
  stack.driftDetection = {id: model.random.uuid(), status: drifted ? 'DRIFTED' : 'IN_SYNC', at: model.now}
  return {StackDriftDetectionId: stack.driftDetection.id}
}

export function describeStackDriftDetectionStatus(model: Model, input: DescribeStackDriftDetectionStatusInput): DescribeStackDriftDetectionStatusOutput {
  const stack = model.state.stacks.find((s) => s.driftDetection?.id === input.StackDriftDetectionId)
  if (!stack || !stack.driftDetection) throw errors.validation(`Stack drift detection ${input.StackDriftDetectionId ?? 'null'} does not exist`)
  const detection = stack.driftDetection
  const drifted = Object.values(stack.drifts ?? {}).filter((list) => list.length > 0).length
  return {
    StackId: stack.id,
    StackDriftDetectionId: detection.id,
    StackDriftStatus: detection.status,
    DetectionStatus: 'DETECTION_COMPLETE',
    DriftedStackResourceCount: drifted,
    Timestamp: new Date(detection.at),
  }
}

export function describeStackResourceDrifts(model: Model, input: DescribeStackResourceDriftsInput): DescribeStackResourceDriftsOutput {
  const stack = requireStack(model, input.StackName, false)
  const filter = input.StackResourceDriftStatusFilters ?? []
  const at = new Date(stack.driftDetection?.at ?? model.now)
  // Only the resources created so far: a stack that was rolled back part way has no others.
  const all = resourcesInOrder(stack).map((resource) => {
    const logicalId = resource.logicalId
    const differences = stack.drifts?.[logicalId] ?? []
    const status: StackResourceDriftStatus = differences.length > 0 ? 'MODIFIED' : 'IN_SYNC'
    return {
      StackId: stack.id,
      LogicalResourceId: logicalId,
      PhysicalResourceId: resource.physicalId,
      ResourceType: resource.type,
      StackResourceDriftStatus: status,
      PropertyDifferences: differences.map((d) => ({PropertyPath: d.property, ExpectedValue: d.expected, ActualValue: d.actual, DifferenceType: 'NOT_EQUAL' as const})),
      Timestamp: at,
    }
  })
  return {StackResourceDrifts: all.filter((r) => filter.length === 0 || filter.includes(r.StackResourceDriftStatus))}
}
