import type {InstancePhase, InstanceRecord} from '../../src/ports/instance-journal.js'

/** Where each instance stands in one pass, folded from the journal (the last record wins). */
export type PassState = Map<string, InstanceRecord>

export interface FleetProgress {
  /** The plan: instance ids in order (the canary first) with the version each ran before. */
  planned: {instanceId: string; previousVersion: string | null; unknownReason?: string}[]
  forward: PassState
  restore: PassState
}

export function foldJournal(records: InstanceRecord[]): FleetProgress {
  const planned = new Map<string, {order: number; previousVersion: string | null; unknownReason?: string}>()
  const forward: PassState = new Map()
  const restore: PassState = new Map()
  for (const record of records) {
    // A write-ahead taken back: never sent, as before it (no record in its pass).
    if (record.phase === 'planned' && record.unsent === true) {
      ;(record.pass === 'forward' ? forward : restore).delete(record.instanceId)
      continue
    }
    if (record.phase === 'planned' && record.pass === 'forward') {
      planned.set(record.instanceId, {
        order: record.order ?? planned.size,
        previousVersion: record.previousVersion ?? null,
        ...(record.reason !== undefined ? {unknownReason: record.reason} : {}),
      })
      continue
    }
    ;(record.pass === 'forward' ? forward : restore).set(record.instanceId, record)
  }
  const ordered = [...planned.entries()].sort((a, b) => a[1].order - b[1].order)
  const plannedList = ordered.map(([instanceId, {previousVersion, unknownReason}]) => ({
    instanceId,
    previousVersion,
    ...(unknownReason !== undefined ? {unknownReason} : {}),
  }))
  return {planned: plannedList, forward, restore}
}

/** Phases in which an instance is out of service (or may be): what the window counts. */
export const OUT_OF_SERVICE: ReadonlySet<InstancePhase> = new Set(['enteringStandby', 'changing', 'returning', 'failed'])

/** Phases still moving: a pass is over when none of its instances is in one. */
export const IN_FLIGHT: ReadonlySet<InstancePhase> = new Set(['enteringStandby', 'changing', 'returning'])
