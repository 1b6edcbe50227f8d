/**
 * `enforce:` of an incremental target: a State Manager association applies the target's change with
 * the live version to the whole fleet on a schedule, so that instances changed by hand, or launched
 * later by the group with an older image, come back to the live version between releases.
 *
 * The association follows the ledger: after every release ends (succeeded: the new version; rolled
 * back, aborted, failed: the live version, which is the previous one), and again whenever a command
 * takes the target's lease (a process that died between the ledger's end and this step left it
 * behind). Each time it is read first and changed only if it differs, so doing it twice is harmless.
 *
 * When `enforce:` is taken out of release.yml, the association it left is deleted at the same points:
 * left in place, it would put the old version back on the fleet after every later release.
 */
import {resourceName} from '../config/environments.js'
import type {IncrementalTargetConfig, TargetConfig} from '../config/types.js'
import type {Association, AssociationPort, AssociationSpec} from '../ports/associations.js'
import {changeCommand} from '../../strategies/incremental/change.js'
import {credentialsError} from './credentials-error.js'
import type {Workspace} from './workspace.js'

export type EnforceResult =
  | {action: 'created' | 'updated' | 'unchanged'; association: Association; /** The version it applies now. */ version: string}
  | {action: 'deleted'; association: Association}

/** The association's name: one per target (and environment), so release finds its own again. */
export function associationName(target: IncrementalTargetConfig): string {
  return `release-${resourceName(target)}`.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 128)
}

/** What the association should be with `version` live: the change's document and parameters, targeting the fleet. */
export function associationSpec(target: IncrementalTargetConfig, version: string, schedule: string): AssociationSpec {
  const {parameters} = changeCommand(target.change, version, [], '')
  const targets =
    'group' in target.fleet
      ? [{key: 'tag:aws:autoscaling:groupName', values: [target.fleet.group]}]
      : Object.entries(target.fleet.tags).map(([key, value]) => ({key: `tag:${key}`, values: [String(value)]}))
  return {name: associationName(target), documentName: target.change.document, parameters, targets, schedule}
}

/** Whether the association in the account already is `spec` (the version is in its parameters). */
export function sameAssociation(found: AssociationSpec, spec: AssociationSpec): boolean {
  return (
    found.documentName === spec.documentName &&
    found.schedule === spec.schedule &&
    canonical(found.parameters) === canonical(spec.parameters) &&
    canonical(found.targets) === canonical(spec.targets)
  )
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  )
}

/**
 * Puts the target's association on `version`: created the first time, updated when it differs, left
 * alone when it is already right. Nothing to do without a version. For an incremental target without
 * `enforce`, the association an earlier `enforce` left is deleted.
 */
export async function enforceVersion(associations: AssociationPort, target: TargetConfig, version: string | null): Promise<EnforceResult | undefined> {
  if (target.strategy !== 'incremental') return undefined
  if (!target.enforce) return removeLeftAssociation(associations, target)
  if (version === null) return undefined
  const spec = associationSpec(target, version, target.enforce.schedule)
  const found = await associations.find(spec.name)
  if (!found) return {action: 'created', association: await associations.create(spec), version}
  if (sameAssociation(found, spec)) return {action: 'unchanged', association: found, version}
  return {action: 'updated', association: await associations.update(found.associationId, spec), version}
}

/**
 * The association an `enforce:` taken out of release.yml left, if any: what a release deletes, what
 * drift reports and plan announces. An identity that may not list associations was never given
 * `enforce:`'s permissions (docs/iam.md), so it cannot have one left.
 */
export async function leftAssociation(associations: AssociationPort, target: IncrementalTargetConfig): Promise<Association | undefined> {
  if (target.enforce) return undefined
  try {
    return await associations.find(associationName(target))
  } catch (error) {
    if (credentialsError(error)?.code === 'E_AWS_ACCESS_DENIED') return undefined
    throw error
  }
}

/** The association of a target whose `enforce:` was taken out: deleted. */
async function removeLeftAssociation(associations: AssociationPort, target: IncrementalTargetConfig): Promise<EnforceResult | undefined> {
  const found = await leftAssociation(associations, target)
  if (!found) return undefined
  await associations.remove(found.associationId)
  return {action: 'deleted', association: found}
}

/** The association on the ledger's live version (what a command that takes the lease checks first). */
export async function enforceLiveVersion(ws: Workspace, associations: AssociationPort, target: TargetConfig): Promise<EnforceResult | undefined> {
  if (target.strategy !== 'incremental') return undefined
  if (!target.enforce) return removeLeftAssociation(associations, target)
  return enforceVersion(associations, target, (await ws.ledger.read(target.name)).liveVersion)
}

/**
 * Housekeeping around a release: a failure is told, never turns the release's outcome (the release's
 * change is done either way), and is done again by the next command that takes the lease. A lost lease
 * still stops everything.
 */
export async function keepEnforced(
  target: TargetConfig,
  run: () => Promise<EnforceResult | undefined>,
  report: (message: string) => void,
  isFatal: (error: unknown) => boolean,
): Promise<void> {
  if (target.strategy !== 'incremental') return
  try {
    const result = await run()
    if (result && result.action !== 'unchanged') report(enforceText(target.name, result))
  } catch (error) {
    if (isFatal(error)) throw error
    report(
      `could not move the State Manager association of ${target.name} (${(error as Error).message}); it may apply the previous version on its next run. ` +
        `The next release, resume or abort of ${target.name} moves it again; release drift ${target.name} shows where it is`,
    )
  }
}

export function enforceText(target: string, result: EnforceResult): string {
  if (result.action === 'deleted') {
    return `State Manager association ${result.association.name} of ${target} deleted: enforce: is no longer in release.yml, so nothing puts a version back on the fleet between releases`
  }
  const what = result.action === 'unchanged' ? 'already applies' : result.action === 'created' ? 'created: applies' : 'moved: applies'
  return `State Manager association ${result.association.name} of ${target} ${what} ${result.version} ${result.association.schedule} to the fleet`
}
