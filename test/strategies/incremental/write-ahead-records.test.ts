/**
 * The write-aheads of one pass on their own (strategies/incremental/write-ahead.ts): which sends
 * write first, what they write, what a resumed pass takes as covered and what a stopping pass takes
 * back. The releases around them are in write-ahead.test.ts and write-ahead-cover.test.ts.
 */
import {describe, expect, it} from 'vitest'
import type {InstanceRecord} from '../../../src/ports/instance-journal.js'
import type {PassState} from '../../../strategies/incremental/progress.js'
import {WriteAhead} from '../../../strategies/incremental/write-ahead.js'

/** A pass of `window` places whose appends are kept, its next sends `upcoming`, resumed from `records`. */
function pass(upcoming: string[], records: InstanceRecord[] = [], window = 2) {
  const appends: InstanceRecord[][] = []
  const job = {pass: 'forward' as const, window, append: async (r: InstanceRecord[]) => void appends.push(r)}
  const state: PassState = new Map(records.map((r) => [r.instanceId, r]))
  return {appends, writeAhead: new WriteAhead(job, () => upcoming, state)}
}

describe('the write-aheads of a pass', () => {
  it('one append writes ahead the sent instances and up to a window of the next ones; sends covered write nothing', async () => {
    const upcoming = ['i-1', 'i-2', 'i-3', 'i-4']
    const {appends, writeAhead} = pass(upcoming)
    await writeAhead.before(['i-1'], 10)
    expect(appends).toEqual([
      [
        {instanceId: 'i-1', pass: 'forward', phase: 'changing', at: 10},
        {instanceId: 'i-2', pass: 'forward', phase: 'changing', at: 10, ahead: true},
        {instanceId: 'i-3', pass: 'forward', phase: 'changing', at: 10, ahead: true},
      ],
    ])
    await writeAhead.before(['i-2', 'i-3'], 20)
    expect(appends).toHaveLength(1)
    // Sent once, no longer covered: a retry is written ahead again (with i-4, the next send).
    upcoming.splice(0, 3)
    await writeAhead.before(['i-2'], 30)
    expect(appends[1]?.map((r) => r.instanceId)).toEqual(['i-2', 'i-4'])
  })

  it('a resumed pass takes as covered only the instances written ahead without a command id', async () => {
    const records: InstanceRecord[] = [
      {instanceId: 'i-1', pass: 'forward', phase: 'changing', at: 1, ahead: true},
      {instanceId: 'i-2', pass: 'forward', phase: 'changing', at: 1, commandId: 'c-1'},
      {instanceId: 'i-3', pass: 'forward', phase: 'planned', at: 1},
    ]
    const {appends, writeAhead} = pass([], records)
    await writeAhead.before(['i-1'], 10)
    expect(appends).toEqual([])
    await writeAhead.before(['i-2'], 20)
    await writeAhead.before(['i-3'], 30)
    expect(appends.map((a) => a.map((r) => r.instanceId))).toEqual([['i-2'], ['i-3']])
  })

  it('a pass that stops takes back its own write-aheads of instances still planned, never those of a process before it', async () => {
    const inherited: InstanceRecord = {instanceId: 'i-0', pass: 'forward', phase: 'changing', at: 1, ahead: true}
    const {writeAhead} = pass(['i-1', 'i-2', 'i-3'], [inherited], 3)
    await writeAhead.before(['i-1'], 10)
    // i-3 was started another way since (it is no longer planned); i-0 may have been sent by the dead process.
    const planned = new Set(['i-0', 'i-2'])
    expect(writeAhead.takeBack((id) => planned.has(id), 40)).toEqual([{instanceId: 'i-2', pass: 'forward', phase: 'planned', at: 40, unsent: true}])
    expect(writeAhead.takeBack((id) => planned.has(id), 50)).toEqual([])
  })
})
