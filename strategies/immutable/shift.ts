import type {ShiftOutput} from '../../machines/immutable.js'
import type {RevertInput, ShiftInput} from '../../machines/immutable-inputs.js'
import {attachAndWait, detachAndWait, judgeGroup, type TrafficMove} from './traffic.js'
import type {ImmutableDeps} from './deps.js'
import {checkOnlyServing} from './serving.js'

/**
 * Red/black: the new group joins the traffic sources and must serve there (every instance healthy in
 * each target group, see attachAndWait) before the old group leaves, so traffic never has nowhere to go. The bake deadline is fixed here, when traffic moved.
 */
export function shift(deps: ImmutableDeps) {
  return async (input: ShiftInput): Promise<ShiftOutput> => {
    const {clock, report, settings} = deps
    // The old group's targets drain for the deregistration delay: that time is part of the shift's budget.
    const delayMs = await deregistrationDelayMs(deps)
    const move = trafficMove(deps, settings.timeouts.shiftMs + delayMs)
    const newGroup = input.newGroup
    report({releaseId: input.releaseId, state: 'shifting', message: `attaching ${newGroup} to ${settings.trafficSources.join(', ')}`})
    await attachAndWait(move, newGroup)
    if (input.oldGroup) {
      const drain = delayMs > 0 ? ` (targets drain for ${delayMs / 1000}s)` : ''
      report({releaseId: input.releaseId, state: 'shifting', message: `detaching ${input.oldGroup}${drain}; it stays running for the bake`})
      // Both groups serve until the old one has drained: a new version that fails now goes back.
      await detachAndWait(move, input.oldGroup, async () => {
        await judgeGroup(move, newGroup)
      })
    }
    report({releaseId: input.releaseId, state: 'shifting', message: await checkOnlyServing(deps, newGroup)})
    // An emergency rollback has no bake: the version it returns to already proved itself.
    const bakeMs = input.emergency ? 0 : settings.bakeMs
    return {bakeUntil: new Date(clock.now() + bakeMs).toISOString()}
  }
}

/**
 * Back to the old group: it joins the traffic sources first, then the new one leaves. For a target's
 * first release there is no old group; the new one just leaves.
 */
export function revertTraffic(deps: ImmutableDeps) {
  return async (input: RevertInput): Promise<void> => {
    const {report} = deps
    const move = trafficMove(deps, deps.settings.timeouts.shiftMs + (await deregistrationDelayMs(deps)))
    if (input.oldGroup) {
      report({releaseId: input.releaseId, state: 'revertingTraffic', message: `re-attaching ${input.oldGroup}`})
      await attachAndWait(move, input.oldGroup)
    }
    const newGroup = input.newGroup
    // After a crash the account may be ahead of the snapshot: a group already discarded has left traffic.
    if (newGroup && (await deps.fleet.describeGroup(newGroup))) {
      report({releaseId: input.releaseId, state: 'revertingTraffic', message: `detaching ${newGroup}`})
      await detachAndWait(move, newGroup)
    }
    report({releaseId: input.releaseId, state: 'revertingTraffic', message: await checkOnlyServing(deps, input.oldGroup)})
  }
}

/** The longest deregistration delay of the target's target groups (0 without target group information). */
export async function deregistrationDelayMs(deps: ImmutableDeps): Promise<number> {
  if (!deps.targets) return 0
  const {found} = await deps.targets.describeTargetGroups(deps.settings.trafficSources.filter((id) => id.includes(':targetgroup/')))
  return Math.max(0, ...found.map((tg) => tg.deregistrationDelaySeconds * 1000))
}

export function trafficMove(deps: ImmutableDeps, timeoutMs: number): TrafficMove {
  return {
    fleet: deps.fleet,
    targets: deps.targets,
    clock: deps.clock,
    sources: deps.settings.trafficSources,
    deadline: deps.clock.now() + timeoutMs,
    pollIntervalMs: deps.settings.pollIntervalMs,
  }
}
