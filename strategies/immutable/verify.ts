import type {NewGroupInput} from '../../machines/immutable-inputs.js'
import type {InvocationResult} from '../../src/ports/commands.js'
import {pollUntil} from '../../src/util/poll.js'
import {requireAgents, sendReadOnly} from '../agents.js'
import {describeGroupOrThrow, isServing} from './group.js'
import type {ImmutableDeps} from './deps.js'

/**
 * Runs the target's smoke check through Systems Manager on every new instance before any traffic
 * moves. Strict: an instance counts as passed only on Success (Undeliverable is a failure). A smoke
 * check only reads, so a resumed release may send it again.
 */
export function verify(deps: ImmutableDeps) {
  return async (input: NewGroupInput): Promise<void> => {
    const {fleet, commands, clock, report, settings} = deps
    const group = await describeGroupOrThrow(fleet, input.newGroup)
    const instanceIds = group.instances.filter(isServing).map((i) => i.id)
    if (instanceIds.length < group.desired) {
      throw new Error(`only ${instanceIds.length} of ${group.desired} instances are healthy`)
    }
    if (!settings.verify || settings.verify.commands.length === 0) {
      report({releaseId: input.releaseId, step: 'verifying', message: 'health checks passed; no smoke check configured'})
      return
    }

    // InService is not SSM managed: the smoke check waits for the agents within the verify timeout.
    await requireAgents(deps, {releaseId: input.releaseId, step: 'verifying', instanceIds, timeoutMs: settings.timeouts.verifyMs, pollIntervalMs: settings.pollIntervalMs})
    const commandIds = await sendReadOnly(
      deps,
      {
        documentName: 'AWS-RunShellScript',
        instanceIds,
        parameters: {commands: settings.verify.commands},
        comment: `release ${input.releaseId} smoke check`,
      },
      {timeoutMs: settings.timeouts.verifyMs, pollIntervalMs: settings.pollIntervalMs},
    )
    report({
      releaseId: input.releaseId,
      step: 'verifying',
      message: `smoke check sent to ${instanceIds.length} instances (${commandIds.join(', ')})`,
    })
    const results = await pollUntil(
      async () => {
        const invocations = await commands.invocations(commandIds)
        const done = invocations.filter((r) => r.done)
        report({
          releaseId: input.releaseId,
          step: 'verifying',
          message: `smoke check ${done.length}/${instanceIds.length} done`,
          instances: {total: instanceIds.length, ready: done.filter((r) => r.ok).length},
        })
        return done.length >= instanceIds.length ? invocations : undefined
      },
      {
        clock,
        deadline: clock.now() + settings.timeouts.verifyMs,
        intervalMs: settings.pollIntervalMs,
        maxIntervalMs: settings.pollIntervalMs * 3,
        what: `the smoke check on ${instanceIds.length} instances`,
      },
    )
    const failed = results.filter((r) => !r.ok)
    if (failed.length > 0) throw new Error(`smoke check failed on ${describeFailures(failed)}`)
  }
}

function describeFailures(failed: InvocationResult[]): string {
  return failed.map((r) => `${r.instanceId} (${r.status})`).join(', ')
}
