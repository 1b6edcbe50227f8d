/**
 * foldJournal (strategies/incremental/progress.ts): where each instance of an incremental release
 * stands, folded from its instance journal, which is what a resumed release and its way back act on.
 */
import {describe, expect, it} from 'vitest'
import {foldJournal, IN_FLIGHT, OUT_OF_SERVICE} from '../../../strategies/incremental/progress.js'
import type {InstanceRecord} from '../../../src/ports/instance-journal.js'

const planned = (instanceId: string, order: number | undefined, previousVersion?: string | null, reason?: string): InstanceRecord => ({
  instanceId,
  phase: 'planned',
  pass: 'forward',
  at: 0,
  ...(order !== undefined ? {order} : {}),
  ...(previousVersion !== undefined ? {previousVersion} : {}),
  ...(reason !== undefined ? {reason} : {}),
})

describe('foldJournal', () => {
  it('lists the plan in its order (the canary first), whatever order the records came in', () => {
    const progress = foldJournal([planned('i-c', 2, '1.0.0'), planned('i-a', 0, '1.0.0'), planned('i-b', 1, null)])
    expect(progress.planned).toEqual([
      {instanceId: 'i-a', previousVersion: '1.0.0'},
      {instanceId: 'i-b', previousVersion: null},
      {instanceId: 'i-c', previousVersion: '1.0.0'},
    ])
    expect(progress.forward.size).toBe(0)
    expect(progress.restore.size).toBe(0)
  })

  it('orders records without an order by when they were planned, and keeps why a version is unknown', () => {
    const progress = foldJournal([planned('i-x', undefined, undefined, 'no version parameter'), planned('i-y', undefined, '2.0.0')])
    expect(progress.planned).toEqual([
      {instanceId: 'i-x', previousVersion: null, unknownReason: 'no version parameter'},
      {instanceId: 'i-y', previousVersion: '2.0.0'},
    ])
  })

  it('keeps the last record of each instance per pass, the two passes apart', () => {
    const records: InstanceRecord[] = [
      planned('i-a', 0, '1.0.0'),
      planned('i-b', 1, '1.0.0'),
      {instanceId: 'i-a', phase: 'enteringStandby', pass: 'forward', at: 1},
      {instanceId: 'i-a', phase: 'changing', pass: 'forward', at: 2, commandId: 'c-1'},
      {instanceId: 'i-b', phase: 'failed', pass: 'forward', at: 3, undelivered: true},
      {instanceId: 'i-a', phase: 'changing', pass: 'restore', at: 4, commandId: 'c-2'},
    ]
    const progress = foldJournal(records)
    expect([...progress.forward.keys()]).toEqual(['i-a', 'i-b'])
    expect(progress.forward.get('i-a')).toMatchObject({phase: 'changing', commandId: 'c-1'})
    expect(progress.forward.get('i-b')).toMatchObject({phase: 'failed', undelivered: true})
    expect([...progress.restore.entries()]).toEqual([['i-a', records[5]]])
    expect(progress.planned.map((p) => p.instanceId)).toEqual(['i-a', 'i-b'])
  })

  it('counts an instance out of service while it leaves, changes, returns or has failed; in flight until it is done or failed', () => {
    expect([...OUT_OF_SERVICE].sort()).toEqual(['changing', 'enteringStandby', 'failed', 'returning'])
    expect([...IN_FLIGHT].sort()).toEqual(['changing', 'enteringStandby', 'returning'])
  })
})
