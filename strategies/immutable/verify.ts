import type {StepInput} from '../../machines/immutable.js'
import type {InvocationResult} from '../../src/ports/commands.js'
import {pollUntil} from '../../src/util/poll.js'
import {describeGroupOrThrow, isServing} from './group.js'
import type {ImmutableDeps} from './deps.js'

/**
 * Runs the target's smoke check through Systems Manager on every new instance before any traffic
 * moves. Strict: an instance counts as passed only on Success (Undeliverable is a failure). A smoke
 * check only reads, so a resumed release may send it again.
 */
export function verify(deps: ImmutableDeps) {
  return async ({input: {context}}: {input: StepInput}): Promise<void> => {
    const {fleet, commands, clock, report, settings} = deps
    const group = await describeGroupOrThrow(fleet, context.newStack!.group!)
    const instanceIds = group.instances.filter(isServing).map((i) => i.id)
    if (instanceIds.length < group.desired) {
      throw new Error(`only ${instanceIds.length} of ${group.desired} instances are healthy`)
    }
    if (!settings.verify || settings.verify.commands.length === 0) {
      report({releaseId: context.releaseId, step: 'verifying', message: 'health checks passed; no smoke check configured'})
      return
    }

    await awaitAgents(deps, context.releaseId, instanceIds)
    const commandIds = await commands.send({
      documentName: 'AWS-RunShellScript',
      instanceIds,
      parameters: {commands: settings.verify.commands},
      comment: `release ${context.releaseId} smoke check`,
    })
    report({
      releaseId: context.releaseId,
      step: 'verifying',
      message: `smoke check sent to ${instanceIds.length} instances (${commandIds.join(', ')})`,
    })
    const results = await pollUntil(
      async () => {
        const invocations = await commands.invocations(commandIds)
        const done = invocations.filter((r) => r.done)
        report({
          releaseId: context.releaseId,
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

/**
 * An instance is InService before its SSM agent registers (and SendCommand answers InvalidInstanceId
 * until then): wait for every agent, within the verify timeout, and name those that never came.
 */
async function awaitAgents(deps: ImmutableDeps, releaseId: string, instanceIds: string[]): Promise<void> {
  const {commands, clock, report, settings} = deps
  const deadline = clock.now() + settings.timeouts.verifyMs
  let missing = instanceIds
  for (let interval = settings.pollIntervalMs; ; interval = Math.min(interval * 2, settings.pollIntervalMs * 3)) {
    const managed = new Set(await commands.managedInstances(instanceIds))
    missing = instanceIds.filter((id) => !managed.has(id))
    if (missing.length === 0) return
    if (clock.now() >= deadline) break
    report({releaseId, step: 'verifying', message: `waiting for the SSM agent of ${missing.length} instances to register`})
    await clock.sleep(Math.min(interval, Math.max(0, deadline - clock.now())))
  }
  throw new Error(
    `the SSM agent of ${missing.length} of ${instanceIds.length} instances never registered within ${settings.timeouts.verifyMs / 1000}s ` +
      `(${missing.join(', ')}); usually the launch template gives no instance profile with AmazonSSMManagedInstanceCore, ` +
      `or the instances have no route to the SSM endpoints (no NAT gateway or VPC endpoints)`,
  )
}

function describeFailures(failed: InvocationResult[]): string {
  return failed.map((r) => `${r.instanceId} (${r.status})`).join(', ')
}
