import type {AccountState, CommandRecord, FleetSummary, InstanceRecord, InstanceSummary} from './types.js'

/**
 * Indexes derived from the account state, never persisted: built when a state is loaded, then kept
 * current by the code that changes instances and commands (instances.ts, invocations.ts). They keep
 * the work of one call proportional to what it touches, not to the size of the fleet (10,000
 * instances and more): command lookup by id, each group's serving count, and the observers' summary.
 */

type Summary = {-readonly [K in keyof InstanceSummary]: InstanceSummary[K]}

interface Entry {
  summary: Summary
  booted: boolean
  /** Invocations of version-changing commands not ended yet on the instance. */
  changes: number
  serving: boolean
  out: boolean
}

const AWAY = new Set(['EnteringStandby', 'Standby'])

function isServing(entry: Entry): boolean {
  return entry.summary.lifecycle === 'InService' && entry.summary.health === 'Healthy'
}

/** Out of service for a release: in Standby or on its way in or back, or being changed in place. */
function isOut(entry: Entry): boolean {
  const lifecycle = entry.summary.lifecycle
  return AWAY.has(lifecycle) || (lifecycle === 'Pending' && entry.booted) || entry.changes > 0
}

export class Tracker {
  readonly commands = new Map<string, CommandRecord>()
  private readonly entries = new Map<string, Entry>()
  private readonly servingByGroup = new Map<string, number>()
  private outOfService = 0
  private list: Summary[] | undefined

  constructor(readonly state: AccountState) {
    for (const command of state.commands) this.commands.set(command.id, command)
    for (const instance of Object.values(state.instances)) this.add(instance)
    for (const command of state.commands) {
      if (!command.setsVersion) continue
      for (const invocation of command.invocations) {
        if (invocation.status === 'Pending' || invocation.status === 'InProgress') this.changing(invocation.instanceId, 1)
      }
    }
  }

  add(instance: InstanceRecord): void {
    if (this.entries.has(instance.id)) return this.update(instance)
    const entry: Entry = {
      summary: {
        id: instance.id,
        group: instance.group,
        version: instance.version,
        lifecycle: instance.lifecycle,
        health: instance.health,
        changing: false,
      },
      booted: instance.booted,
      changes: 0,
      serving: false,
      out: false,
    }
    this.entries.set(instance.id, entry)
    this.list = undefined
    this.account(entry)
  }

  /** After anything changed the instance's version, lifecycle or health. */
  update(instance: InstanceRecord): void {
    const entry = this.entries.get(instance.id)
    if (!entry) return this.add(instance)
    const summary = entry.summary
    summary.version = instance.version
    summary.lifecycle = instance.lifecycle
    summary.health = instance.health
    entry.booted = instance.booted
    this.account(entry)
  }

  remove(instanceId: string): void {
    const entry = this.entries.get(instanceId)
    if (!entry) return
    if (entry.serving) this.addServing(entry.summary.group, -1)
    if (entry.out) this.outOfService -= 1
    this.entries.delete(instanceId)
    this.list = undefined
  }

  /** A version-changing invocation starts (+1) or ends (-1) on the instance. */
  changing(instanceId: string, delta: 1 | -1): void {
    const entry = this.entries.get(instanceId)
    if (!entry) return
    entry.changes = Math.max(0, entry.changes + delta)
    entry.summary.changing = entry.changes > 0
    this.account(entry)
  }

  /** InService and Healthy instances of the group. */
  serving(group: string): number {
    return this.servingByGroup.get(group) ?? 0
  }

  summary(): FleetSummary {
    this.list ??= [...this.entries.values()].map((entry) => entry.summary)
    return {outOfService: this.outOfService, instances: this.list}
  }

  private account(entry: Entry): void {
    const serving = isServing(entry)
    if (serving !== entry.serving) {
      this.addServing(entry.summary.group, serving ? 1 : -1)
      entry.serving = serving
    }
    const out = isOut(entry)
    if (out !== entry.out) {
      this.outOfService += out ? 1 : -1
      entry.out = out
    }
  }

  private addServing(group: string, delta: number): void {
    this.servingByGroup.set(group, (this.servingByGroup.get(group) ?? 0) + delta)
  }
}
