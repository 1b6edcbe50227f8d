/**
 * The per-instance log of an in-place release (src/engine/instance-journal.ts), on the file store:
 * what reaches the journal file before the release acts, and what load gives back.
 */
import {describe, expect, it} from 'vitest'
import {JournalInstanceLog} from '../../src/engine/instance-journal.js'
import {sharedJournal} from '../../src/engine/journal.js'
import type {InstanceRecord} from '../../src/ports/instance-journal.js'
import {FileStateStore} from '../../src/store/file.js'
import {tempDir} from '../fakes/temp.js'

const KEY = 'releases/api-1/journal.ndjson'

function open() {
  const store = new FileStateStore(tempDir('release-instance-log-'))
  return {store, log: new JournalInstanceLog(store, 'api-1', () => 0)}
}

/** The lines of the journal file as written so far (nothing deferred). */
async function written(store: FileStateStore): Promise<string[]> {
  return ((await store.read(KEY)) ?? '').split('\n').filter((l) => l !== '')
}

const record = (instanceId: string, phase: InstanceRecord['phase'], commandId?: string): InstanceRecord => ({
  instanceId,
  pass: 'forward',
  phase,
  at: 0,
  ...(commandId ? {commandId} : {}),
})

describe('the instance log', () => {
  it('writes nothing, now or later, for an empty batch', async () => {
    const {store, log} = open()
    await log.append([])
    await log.append([record('i-1', 'planned')])
    expect(await written(store)).toHaveLength(1)
    expect(await log.load()).toEqual([record('i-1', 'planned')])
  })

  it('writes a batch at once when any one of its records must be stored before the release acts', async () => {
    const {store, log} = open()
    // A tick's batch: one instance back in service (may wait), one written ahead of its send (may not).
    await log.append([record('i-1', 'done'), record('i-2', 'changing')])
    const lines = await written(store)
    expect(lines).toHaveLength(1)
    expect((JSON.parse(lines[0]!) as {data: {records: InstanceRecord[]}}).data.records.map((r) => r.instanceId)).toEqual(['i-1', 'i-2'])
    // A batch of what already happened waits for the next such write.
    await log.append([record('i-2', 'changing', 'cmd-1')])
    expect(await written(store)).toHaveLength(1)
  })

  it('loads the instance records alone, whatever else the journal of the release holds', async () => {
    const {store, log} = open()
    const journal = sharedJournal(store, () => 0)
    await journal.append({releaseId: 'api-1', type: 'transition', state: 'planning'})
    await log.append([record('i-1', 'planned')])
    // Another kind of entry with a `records` field of its own is not the instance log's.
    await journal.append({releaseId: 'api-1', type: 'progress', message: 'x', data: {records: [record('i-9', 'failed')]}})
    await log.append([record('i-1', 'changing')])
    expect((await log.load()).map((r) => `${r.instanceId}:${r.phase}`)).toEqual(['i-1:planned', 'i-1:changing'])
  })
})
