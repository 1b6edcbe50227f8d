/**
 * The release machines drawn from their real definitions (never by hand), for `release graph` and
 * docs/machines.md: states, and the transitions between them labelled by what causes each.
 */
import type {AnyStateMachine} from 'xstate'
import {immutableMachine} from '../../machines/immutable.js'
import {incrementalMachine} from '../../machines/incremental.js'
import {environmentCreateMachine, environmentDestroyMachine} from '../../machines/environment.js'
import {UserError} from '../errors.js'

export const MACHINES: Record<string, AnyStateMachine> = {
  immutable: immutableMachine,
  incremental: incrementalMachine,
  'environment-create': environmentCreateMachine,
  'environment-destroy': environmentDestroyMachine,
}

export interface MachineGraph {
  id: string
  initial: string
  states: {name: string; final: boolean; step: string | null}[]
  transitions: {from: string; to: string; on: string}[]
}

export function machineByName(name: string): AnyStateMachine {
  const machine = MACHINES[name]
  if (!machine) {
    throw new UserError('E_UNKNOWN_MACHINE', `no machine named ${name}`, `choose one of: ${Object.keys(MACHINES).join(', ')}`)
  }
  return machine
}

/** `xstate.done.actor.shift` reads as "shift done", `xstate.error.actor.shift` as "shift failed". */
function label(eventType: string): string {
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType)
  if (done) return `${done[1]} done`
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType)
  if (error) return `${error[1]} failed`
  return eventType
}

export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const states: MachineGraph['states'] = []
  const transitions: MachineGraph['transitions'] = []
  for (const [name, node] of Object.entries(machine.root.states)) {
    const invoked = node.invoke[0]?.src
    states.push({name, final: node.type === 'final', step: typeof invoked === 'string' ? invoked : null})
    for (const [eventType, definitions] of node.transitions) {
      for (const definition of definitions) {
        for (const target of definition.target ?? []) transitions.push({from: name, to: target.key, on: label(eventType)})
      }
    }
  }
  return {id: machine.id, initial: String(machine.root.initial?.target[0]?.key), states, transitions}
}

export function toMermaid(graph: MachineGraph): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${graph.initial}`]
  for (const t of graph.transitions) lines.push(`  ${t.from} --> ${t.to}: ${t.on}`)
  for (const s of graph.states.filter((s) => s.final)) lines.push(`  ${s.name} --> [*]`)
  return lines.join('\n')
}

export function toDot(graph: MachineGraph): string {
  const lines = [`digraph ${graph.id} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];']
  for (const s of graph.states.filter((s) => s.final)) lines.push(`  ${s.name} [shape=doublecircle];`)
  lines.push(`  start [shape=point]; start -> ${graph.initial};`)
  for (const t of graph.transitions) lines.push(`  ${t.from} -> ${t.to} [label="${t.on}"];`)
  lines.push('}')
  return lines.join('\n')
}
