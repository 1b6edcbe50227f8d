/**
 * What `release drift` says of an enforced target's State Manager association: whether it exists and
 * applies the live version, and, per instance, its latest run (compliant when it succeeded).
 */
import type {IncrementalTargetConfig} from '../config/types.js'
import type {AssociationPort} from '../ports/associations.js'
import {associationName, associationSpec, leftAssociation, sameAssociation} from './enforce.js'

export type EnforcementFinding =
  | {kind: 'associationMissing'; association: string}
  | {kind: 'associationBehind'; association: string; expected: string}
  | {kind: 'associationNonCompliant'; association: string; instance: string; status: string}
  /** An association an `enforce:` now taken out of release.yml left: its runs would put its version back. */
  | {kind: 'associationLeftOver'; association: string; associationId: string}

export interface Enforcement {
  association: string
  associationId: string | null
  schedule: string
  /** When the association last ran (its latest execution), if it has. */
  executedAt: string | null
  /** Per instance of its latest run: compliant true (Success), false (Failed), null (not finished). */
  instances: {instance: string; status: string; compliant: boolean | null; at?: string}[]
}

export async function enforcementDrift(
  associations: AssociationPort,
  target: IncrementalTargetConfig,
  version: string,
): Promise<{enforcement: Enforcement; findings: EnforcementFinding[]; checked: string}> {
  if (!target.enforce) throw new Error(`${target.name} has no enforce: schedule in release.yml; there is no association to compare`)
  const schedule = target.enforce.schedule
  const name = associationName(target)
  const found = await associations.find(name)
  if (!found) {
    return {
      enforcement: {association: name, associationId: null, schedule, executedAt: null, instances: []},
      findings: [{kind: 'associationMissing', association: name}],
      checked: `State Manager association ${name}: missing`,
    }
  }
  const findings: EnforcementFinding[] = []
  if (!sameAssociation(found, associationSpec(target, version, schedule))) findings.push({kind: 'associationBehind', association: name, expected: version})
  const run = await associations.compliance(found.associationId)
  for (const i of run.instances) if (i.compliant === false) findings.push({kind: 'associationNonCompliant', association: name, instance: i.instanceId, status: i.status})
  const compliant = run.instances.filter((i) => i.compliant === true).length
  return {
    enforcement: {
      association: name,
      associationId: found.associationId,
      schedule: found.schedule,
      executedAt: run.executedAt ?? null,
      instances: run.instances.map((i) => ({instance: i.instanceId, status: i.status, compliant: i.compliant, ...(i.at ? {at: i.at} : {})})),
    },
    findings,
    checked: run.executedAt
      ? `State Manager association ${name} (${found.schedule}): last ran ${run.executedAt}, ${compliant} of ${run.instances.length} instances compliant`
      : `State Manager association ${name} (${found.schedule}): not run yet`,
  }
}

/** A target without `enforce:`: the association an earlier one left, if there is one. */
export async function leftAssociationDrift(associations: AssociationPort, target: IncrementalTargetConfig): Promise<{findings: EnforcementFinding[]; checked: string} | undefined> {
  const left = await leftAssociation(associations, target)
  if (!left) return undefined
  return {
    findings: [{kind: 'associationLeftOver', association: left.name, associationId: left.associationId}],
    checked: `State Manager association ${left.name} (${left.schedule}): left from an enforce: no longer in release.yml`,
  }
}

export function enforcementFindingText(f: EnforcementFinding): string {
  switch (f.kind) {
    case 'associationMissing':
      return `State Manager association ${f.association} does not exist; the next release, resume or abort creates it`
    case 'associationBehind':
      return `State Manager association ${f.association} does not apply the live version ${f.expected} (changed by hand, or left behind); the next release, resume or abort moves it`
    case 'associationNonCompliant':
      return `instance ${f.instance}: the last run of association ${f.association} ended ${f.status}`
    case 'associationLeftOver':
      return `State Manager association ${f.association} is left from an enforce: no longer in release.yml: its runs put a version back on the fleet; converge, or the next release, resume or abort, deletes it`
  }
}
