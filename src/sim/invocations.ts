import {isUnhealthyVersion} from './faults.js'
import {setInstanceVersion} from './instances.js'
import type {Model} from './model.js'
import type {CommandRecord, InstanceRecord, InvocationRecord, TaskBody} from './types.js'

/**
 * One SSM command's run on each instance: Pending -> InProgress -> Success | Failed, or Pending ->
 * Failed with StatusDetails Undeliverable for instances the agent cannot be reached on.
 *
 * Convention for in-place releases: a command line `release-sim set-version <version>` sets the
 * instance's version when the command succeeds; the instance's health then follows that version's
 * faults (an unhealthy version turns it Unhealthy, a healthy one heals it). Such a command is
 * delivered even to an unhealthy instance, so that re-applying the last known good version works;
 * any other command on an unhealthy instance fails, like a smoke check would.
 */

/** After SendCommand, GetCommandInvocation answers InvocationDoesNotExist for this long, as real SSM does. */
const VISIBLE_AFTER_MS: [number, number] = [500, 1_500]
/** Pending -> InProgress: the agent picks the command up. */
const PICKUP_MS: [number, number] = [500, 2_000]
const SET_VERSION = /^\s*release-sim\s+set-version\s+(\S+)\s*$/

export function isTerminal(invocation: InvocationRecord): boolean {
  return invocation.status !== 'Pending' && invocation.status !== 'InProgress'
}

/** An instance SSM can run commands on: booted (its agent registered) and not terminating. */
export function isManaged(instance: InstanceRecord | undefined): instance is InstanceRecord {
  return !!instance && instance.booted && instance.lifecycle !== 'Terminating' && instance.lifecycle !== 'Terminated'
}

export function commandLines(command: CommandRecord): string[] {
  return (command.parameters['commands'] ?? []).flatMap((entry) => entry.split('\n')).filter((line) => line.trim() !== '')
}

export function startInvocations(model: Model, command: CommandRecord): void {
  for (const instanceId of command.instanceIds) {
    const instance = model.state.instances[instanceId]!
    command.invocations.push({
      instanceId,
      status: 'Pending',
      details: 'Pending',
      visibleAt: model.now + model.delay(VISIBLE_AFTER_MS),
      output: '',
      error: '',
      responseCode: -1,
    })
    const undeliverable = instance.deliveryRoll < (model.faults.undeliverableInstances ?? 0)
    if (undeliverable) {
      model.schedule(model.delay(model.timings.commandMs), {kind: 'invocation.ended', commandId: command.id, instanceId})
    } else {
      model.schedule(model.delay(PICKUP_MS), {kind: 'invocation.started', commandId: command.id, instanceId})
    }
  }
}

function finish(model: Model, invocation: InvocationRecord, status: string, details: string, code: number): void {
  invocation.status = status
  invocation.details = details
  invocation.responseCode = code
  invocation.endedAt = model.now
}

function run(model: Model, command: CommandRecord, invocation: InvocationRecord, instance: InstanceRecord): void {
  const lines = commandLines(command)
  const versions = lines.map((line) => SET_VERSION.exec(line)?.[1]).filter((v): v is string => v !== undefined)
  const unhealthy = instance.health === 'Unhealthy' || isUnhealthyVersion(model.faults, instance.version)
  const unlucky = model.random.next() < (model.faults.commandFailureRate ?? 0)
  if (unhealthy && versions.length === 0) {
    invocation.error = `health check failed: version ${instance.version ?? 'unknown'} on ${instance.id} is not serving\n`
    finish(model, invocation, 'Failed', 'Failed', 1)
    return
  }
  if (unlucky) {
    invocation.output = lines.length > 0 ? `$ ${lines[0]}\n` : ''
    invocation.error = `failed to run commands: exit status 1\n`
    finish(model, invocation, 'Failed', 'Failed', 1)
    return
  }
  invocation.output = lines
    .map((line) => {
      const version = SET_VERSION.exec(line)?.[1]
      return version === undefined ? `$ ${line}\n` : `$ ${line}\nversion set to ${version}\n`
    })
    .join('')
  for (const version of versions) setInstanceVersion(model, instance, version)
  finish(model, invocation, 'Success', 'Success', 0)
}

type InvocationTask = Extract<TaskBody, {kind: `invocation.${string}`}>

export function applyInvocationTask(model: Model, task: InvocationTask): void {
  const command = model.state.commands.find((entry) => entry.id === task.commandId)
  const invocation = command?.invocations.find((entry) => entry.instanceId === task.instanceId)
  if (!command || !invocation || isTerminal(invocation)) return
  const instance = model.state.instances[task.instanceId]

  if (task.kind === 'invocation.started') {
    if (!isManaged(instance)) {
      finish(model, invocation, 'Failed', 'Undeliverable', -1)
      return
    }
    invocation.status = 'InProgress'
    invocation.details = 'InProgress'
    invocation.startedAt = model.now
    const ended = {kind: 'invocation.ended', commandId: command.id, instanceId: task.instanceId} as const
    model.schedule(model.delay(model.timings.commandMs), ended)
    return
  }

  if (invocation.status === 'Pending') {
    finish(model, invocation, 'Failed', 'Undeliverable', -1)
  } else if (!isManaged(instance)) {
    invocation.error = `instance ${task.instanceId} was terminated while the command ran\n`
    finish(model, invocation, 'Failed', 'Failed', 1)
  } else {
    run(model, command, invocation, instance)
  }
}
