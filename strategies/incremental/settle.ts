import type {IncrementalDeps} from './deps.js'
import {changeComment} from './comment.js'
import type {FleetProgress} from './progress.js'

/** How long the way back waits for cancelled forward commands to end before restoring anyway. */
export const SETTLE_LIMIT_MS = 120_000

/**
 * Before the way back: forward commands still in flight (an abort or an alarm stops the pass
 * between two polls) are cancelled and waited for, so that the restore never runs on an instance
 * while its forward command still may. Two commands on one instance would race, and the forward one
 * could end last, leaving the new version behind a "restored" record. Whatever they end as (Success:
 * changed; Cancelled, Failed: unknown), the way back then restores every touched instance.
 * An instance on record as changing (or entering Standby) without a command id may have been sent its
 * change by a process that died before the journal named the command: those commands are found by
 * their comment, as a resumed pass finds them (window.ts), and cancelled too.
 * Returns the instances whose command had not ended within the limit (restored anyway, and named).
 */
export async function settleForward(deps: IncrementalDeps, progress: FleetProgress, job: {releaseId: string; version: string}): Promise<string[]> {
  const {releaseId} = job
  const pending = new Map<string, Set<string>>()
  const add = (commandId: string, instanceId: string) => pending.set(commandId, (pending.get(commandId) ?? new Set<string>()).add(instanceId))
  const unnamed = new Map<string, number>()
  for (const [instanceId, record] of progress.forward) {
    if (progress.restore.get(instanceId)?.phase === 'done') continue
    if (record.phase === 'changing' && record.commandId !== undefined) add(record.commandId, instanceId)
    else if ((record.phase === 'changing' || record.phase === 'enteringStandby') && record.commandId === undefined) unnamed.set(instanceId, record.at)
  }
  if (unnamed.size > 0) {
    for (const sent of await deps.commands.sentWith(changeComment(releaseId, 'forward', job.version), Math.min(...unnamed.values()))) {
      for (const id of sent.instanceIds) if (unnamed.has(id)) add(sent.commandId, id)
    }
  }
  if (pending.size === 0) return []
  const count = [...pending.values()].reduce((n, ids) => n + ids.size, 0)
  deps.report({releaseId, state: 'rollingBack', message: `cancelling the change still running on ${count} instances before putting them back`})
  for (const [commandId, ids] of pending) await deps.commands.cancel(commandId, [...ids])
  const deadline = deps.clock.now() + SETTLE_LIMIT_MS
  for (;;) {
    for (const invocation of await deps.commands.invocations([...pending.keys()])) {
      if (invocation.done) pending.get(invocation.commandId)?.delete(invocation.instanceId)
    }
    for (const [commandId, ids] of pending) if (ids.size === 0) pending.delete(commandId)
    if (pending.size === 0) return []
    if (deps.clock.now() >= deadline) {
      const still = [...pending.values()].flatMap((ids) => [...ids])
      deps.report({releaseId, state: 'rollingBack', message: `the cancelled change had not ended within ${SETTLE_LIMIT_MS / 1000}s on ${still.join(', ')}; putting them back anyway`})
      return still
    }
    await deps.clock.sleep(deps.settings.pollIntervalMs)
  }
}
