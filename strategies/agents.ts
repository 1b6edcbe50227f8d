/**
 * SSM agent registration, shared by both strategies. An instance is InService well before its SSM
 * agent has registered (until then DescribeInstanceInformation does not list it and SendCommand
 * refuses it with InvalidInstanceId), and never registers without an instance profile allowing
 * Systems Manager or without a route to its endpoints. So a release waits for the agents, bounded,
 * before it sends commands, and says plainly which instances never came and why that usually is.
 */
import type {Clock} from '../src/ports/clock.js'
import {isUnregisteredRefusal, type CommandPort, type SendCommandInput} from '../src/ports/commands.js'
import type {ProgressSink} from '../src/ports/release.js'

export interface AgentWait {
  releaseId: string
  /** The machine state waiting, for progress reports. */
  state: string
  instanceIds: string[]
  timeoutMs: number
  pollIntervalMs: number
}

/** Waits until every agent is registered or the timeout passes; returns the instances still missing. */
export async function awaitAgents(
  deps: {commands: CommandPort; clock: Clock; report: ProgressSink},
  wait: AgentWait,
): Promise<string[]> {
  const {commands, clock, report} = deps
  const deadline = clock.now() + wait.timeoutMs
  let missing = wait.instanceIds
  for (let interval = wait.pollIntervalMs; ; interval = Math.min(interval * 2, wait.pollIntervalMs * 3)) {
    // Registration does not go back: only those still missing are asked about again.
    const managed = new Set(await commands.managedInstances(missing))
    missing = missing.filter((id) => !managed.has(id))
    if (missing.length === 0 || clock.now() >= deadline) return missing
    report({releaseId: wait.releaseId, state: wait.state, message: `waiting for the SSM agent of ${missing.length} instances to register`})
    await clock.sleep(Math.min(interval, Math.max(0, deadline - clock.now())))
  }
}

/** Why these instances cannot be sent commands, and what usually causes it, for a failure message. */
export function neverRegistered(missing: string[], of: number, timeoutMs: number): string {
  const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? ` and ${missing.length - 10} more` : '')
  return (
    `the SSM agent of ${missing.length} of ${of} instances never registered within ${timeoutMs / 1000}s (${shown}); ` +
    'usually the launch template gives no instance profile with AmazonSSMManagedInstanceCore, ' +
    'or the instances have no route to the SSM endpoints (no NAT gateway or VPC endpoints)'
  )
}

/** Waits for the agents and throws the message above when some never registered. */
export async function requireAgents(deps: {commands: CommandPort; clock: Clock; report: ProgressSink}, wait: AgentWait): Promise<void> {
  const missing = await awaitAgents(deps, wait)
  if (missing.length > 0) throw new Error(neverRegistered(missing, wait.instanceIds.length, wait.timeoutMs))
}

/**
 * Sends a command that only reads (a smoke check, reading the version), taking InvalidInstanceId as
 * "not yet" until `timeoutMs` has passed: SSM lists an agent a moment before SendCommand accepts its
 * instance. Sending it again, chunks that went through included, is harmless because it only reads.
 */
export async function sendReadOnly(
  deps: {commands: CommandPort; clock: Clock},
  input: SendCommandInput,
  wait: {timeoutMs: number; pollIntervalMs: number},
): Promise<string[]> {
  const refusedUntil = deps.clock.now() + wait.timeoutMs
  for (;;) {
    try {
      return await deps.commands.send(input)
    } catch (error) {
      if (!isUnregisteredRefusal(error) || deps.clock.now() >= refusedUntil) throw error
      await deps.clock.sleep(wait.pollIntervalMs)
    }
  }
}
