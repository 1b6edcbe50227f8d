/**
 * Drift of what is live, checked before a rollout (and shown by `release plan`): a release manager
 * learns that production is not what the ledger says before changing it. The target's `drift` key
 * decides: `warn` says what was found and goes on; `refuse` stops with exit 2, nothing changed.
 */
import type {TargetConfig} from '../config/index.js'
import {UserError} from '../errors.js'
import type {Account} from './account.js'
import {driftOf, findingText, type DriftReport} from './drift.js'
import type {Workspace} from './workspace.js'

/** What the check found, as the rollout and the plan tell it. */
export interface DriftCheck {
  /** undefined when detection itself failed (then `error` says why). */
  report?: DriftReport
  error?: string
  /** One line each, for the reader. */
  lines: string[]
}

export async function checkDrift(ws: Workspace, account: Account, target: TargetConfig): Promise<DriftCheck> {
  const ledger = await ws.ledger.read(target.name)
  // Nothing live yet: nothing can have drifted, and nothing is called to find that out.
  if (ledger.liveVersion === null) return {lines: []}
  let report: DriftReport
  try {
    report = await driftOf(ws, account, target)
  } catch (error) {
    // The lease is lost, or the account is away: not for the check to hide.
    if (error instanceof UserError) throw error
    const message = (error as Error).message
    return {error: message, lines: [`drift of ${target.name} could not be checked: ${message}`]}
  }
  const lines = report.inSync
    ? [`drift: ${target.name} is in sync with ${report.desiredVersion}`]
    : [
        `drift: ${target.name} has drifted from ${report.desiredVersion} (${report.findings.length} finding${report.findings.length === 1 ? '' : 's'})`,
        ...report.findings.map((f) => `  ${findingText(f)}`),
      ]
  return {report, lines}
}

/** Refuses a rollout on a drifted target whose `drift` is `refuse` (exit 2, nothing changed). */
export function refuseDrifted(target: TargetConfig, check: DriftCheck): void {
  if (target.drift !== 'refuse') return
  if (check.error !== undefined) {
    throw new UserError(
      'E_DRIFT_UNKNOWN',
      `${target.name} has drift: refuse, and its drift could not be checked: ${check.error}`,
      `fix what stopped the check (run release drift ${target.name}), then roll out again; nothing was changed`,
    )
  }
  if (!check.report || check.report.inSync) return
  throw new UserError(
    'E_DRIFTED',
    `${target.name} has drifted from ${check.report.desiredVersion} and its drift is refuse:\n${check.report.findings.map((f) => `  ${findingText(f)}`).join('\n')}`,
    `bring it back first: release converge ${target.name} (or set targets.${target.name}.drift: warn); nothing was changed`,
  )
}
