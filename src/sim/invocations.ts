import {setInstanceVersion} from './instances.js'
import type {Model} from './model.js'
import {onlyReads, runScript, scriptLines, type ScriptResult} from './script.js'
import {commandDuration} from './timings.js'
import type {CommandRecord, InstanceRecord, InvocationRecord, TaskBody} from './types.js'

/**
 * One SSM command's run on each instance: Pending -> InProgress -> Success | Failed | TimedOut, or
 * Pending -> Failed with StatusDetails Undeliverable for instances the agent cannot be reached on.
 * What the lines do is script.ts (shell documents) and documents.ts (custom documents).
 *
 * Faults, per invocation: an instance whose delivery roll is below `undeliverableInstances` gets
 * nothing (Undeliverable, whatever the command); `commandFailureRate` fails an invocation before its
 * first line runs, so nothing changes on the instance. Commands made only of `release-sim
 * get-version` lines are spared commandFailureRate (reading a version is not the risky part).
 * An invocation that runs longer than the command's `executionTimeout` parameter (default 3600 s)
 * ends TimedOut (StatusDetails ExecutionTimedOut) without its changes.
 */

/** Pending -> InProgress, after the invocation exists: the agent picks the command up. */
const PICKUP_MS: [number, number] = [500, 2_000]
const DEFAULT_EXECUTION_TIMEOUT_S = 3600
/** Run time of a command that only reads the version. */
const READ_MS: [number, number] = [1_000, 4_000]

/**
 * The invocation as SSM shows it: until the agent's report of its end arrives (`counts`: ListCommands),
 * and until the listings show it (`listing`: ListCommandInvocations, GetCommandInvocation), still
 * running (InProgress, or Pending if it never started), without output.
 */
export function reported(model: Model, invocation: InvocationRecord, view: 'counts' | 'listing' = 'listing'): InvocationRecord {
  const from = view === 'counts' ? invocation.reportedAt : (invocation.listedAt ?? invocation.reportedAt)
  if (invocation.endedAt === undefined || from === undefined || model.now >= from) return invocation
  const running = invocation.startedAt === undefined ? 'Pending' : 'InProgress'
  return {...invocation, status: running, details: running, output: '', error: '', responseCode: -1, endedAt: undefined}
}

export function isTerminal(invocation: InvocationRecord): boolean {
  return invocation.status !== 'Pending' && invocation.status !== 'InProgress' && invocation.status !== 'Cancelling'
}

/** CancelCommand asks the agent to stop: Cancelling now, Cancelled once the agent answers. */
const CANCEL_MS: [number, number] = [500, 2_000]

/**
 * CancelCommand, as AWS documents it: invocations still Pending or InProgress become Cancelling, then
 * Cancelled (nothing of the command is applied, the simulated change happens at its end); finished
 * ones stay as they are.
 */
export function cancelInvocations(model: Model, command: CommandRecord, instanceIds: ReadonlySet<string> | undefined): void {
  for (const invocation of command.invocations) {
    if (instanceIds && !instanceIds.has(invocation.instanceId)) continue
    if (invocation.status !== 'Pending' && invocation.status !== 'InProgress') continue
    invocation.status = 'Cancelling'
    invocation.details = 'Cancelling'
    model.schedule(model.delay(CANCEL_MS), {kind: 'invocation.cancelled', commandId: command.id, instanceId: invocation.instanceId})
  }
}

/** An instance SSM can run commands on: booted (its agent registered) and not terminating. */
export function isManaged(instance: InstanceRecord | undefined): instance is InstanceRecord {
  return (
    !!instance &&
    instance.booted &&
    instance.agentRegistered !== false &&
    instance.lifecycle !== 'Terminating' &&
    instance.lifecycle !== 'Terminated'
  )
}

export function commandLines(command: CommandRecord): string[] {
  return scriptLines(command.parameters['commands'])
}

function executionTimeoutMs(command: CommandRecord): number {
  const given = Number(command.parameters['executionTimeout']?.[0] ?? DEFAULT_EXECUTION_TIMEOUT_S)
  return (Number.isFinite(given) && given > 0 ? given : DEFAULT_EXECUTION_TIMEOUT_S) * 1000
}

/** `instances`: the command's, each checked to be managed by SendCommand. */
export function startInvocations(model: Model, command: CommandRecord, instances: readonly InstanceRecord[]): void {
  for (const instance of instances) {
    const instanceId = instance.id
    const visibleAfter = model.draw(`visible:${instanceId}`).delay(model.timings.invocationVisibleMs)
    command.invocations.push({
      instanceId,
      status: 'Pending',
      details: 'Pending',
      visibleAt: model.now + visibleAfter,
      output: '',
      error: '',
      responseCode: -1,
    })
    if (command.setsVersion) model.tracker.changing(instanceId, 1)
    const undeliverable = instance.deliveryRoll < (model.faults.undeliverableInstances ?? 0)
    if (undeliverable) {
      model.schedule(commandDuration(model, instanceId), {kind: 'invocation.ended', commandId: command.id, instanceId})
    } else {
      // The agent picks up an invocation that exists: Pending is seen for a moment first.
      model.schedule(visibleAfter + model.draw(`pickup:${instanceId}`).delay(PICKUP_MS), {kind: 'invocation.started', commandId: command.id, instanceId})
    }
  }
}

function finish(model: Model, command: CommandRecord, invocation: InvocationRecord, status: string, details: string, code: number): void {
  invocation.status = status
  invocation.details = details
  invocation.responseCode = code
  invocation.endedAt = model.now
  invocation.reportedAt = model.now + model.draw(`report:${invocation.instanceId}`).delay(model.timings.agentReportMs)
  invocation.listedAt = invocation.reportedAt + model.draw(`listed:${invocation.instanceId}`).delay(model.timings.listingLagMs)
  if (command.setsVersion) model.tracker.changing(invocation.instanceId, -1)
}

function script(command: CommandRecord): string[] {
  if (command.kind !== 'custom') return commandLines(command)
  return command.version === undefined ? [] : [`release-sim set-version ${command.version}`, 'release-sim check']
}

function run(model: Model, command: CommandRecord, invocation: InvocationRecord, instance: InstanceRecord): void {
  const lines = script(command)
  const rate = model.faults.commandFailureRate ?? 0
  if (rate > 0 && !onlyReads(lines) && model.draw(`fails:${invocation.instanceId}`).next() < rate) {
    invocation.output = lines.length > 0 ? `$ ${lines[0]}\n` : ''
    invocation.error = `failed to run commands: exit status 1\n`
    finish(model, command, invocation, 'Failed', 'Failed', 1)
    return
  }
  const result: ScriptResult = runScript(lines, instance, model.faults)
  invocation.output = result.output
  invocation.error = result.error
  if (result.version !== undefined) setInstanceVersion(model, instance, result.version)
  if (result.ok) finish(model, command, invocation, 'Success', 'Success', 0)
  else finish(model, command, invocation, 'Failed', 'Failed', 1)
}

type InvocationTask = Extract<TaskBody, {kind: `invocation.${string}`}>

export function applyInvocationTask(model: Model, task: InvocationTask): void {
  const command = model.tracker.commands.get(task.commandId)
  const invocation = command?.invocations.find((entry) => entry.instanceId === task.instanceId)
  if (!command || !invocation) return
  if (task.kind === 'invocation.cancelled') {
    if (invocation.status === 'Cancelling') finish(model, command, invocation, 'Cancelled', 'Cancelled', -1)
    return
  }
  // Cancelling: the agent stops it, whatever was scheduled before the cancel.
  if (isTerminal(invocation) || invocation.status === 'Cancelling') return
  const instance = model.state.instances[task.instanceId]

  if (task.kind === 'invocation.started') {
    if (!isManaged(instance)) {
      finish(model, command, invocation, 'Failed', 'Undeliverable', -1)
      return
    }
    invocation.status = 'InProgress'
    invocation.details = 'InProgress'
    invocation.startedAt = model.now
    const ended = {kind: 'invocation.ended', commandId: command.id, instanceId: task.instanceId} as const
    const duration = onlyReads(script(command)) ? model.delay(READ_MS) : commandDuration(model, task.instanceId)
    model.schedule(Math.min(duration, executionTimeoutMs(command)), ended)
    return
  }

  if (invocation.status === 'Pending') {
    finish(model, command, invocation, 'Failed', 'Undeliverable', -1)
  } else if (!isManaged(instance)) {
    invocation.error = `instance ${task.instanceId} was terminated while the command ran\n`
    finish(model, command, invocation, 'Failed', 'Failed', 1)
  } else if (model.now - (invocation.startedAt ?? model.now) >= executionTimeoutMs(command)) {
    invocation.error = `command execution timed out after ${executionTimeoutMs(command) / 1000} seconds\n`
    finish(model, command, invocation, 'TimedOut', 'ExecutionTimedOut', 124)
  } else {
    run(model, command, invocation, instance)
  }
}
