/**
 * The look for an abort request from polls that write nothing: it stays owed to the next write-ahead
 * (which stands for it) for at most ABORT_LOOK_BOUND_MS of the step clock in a step that writes ahead,
 * then a poll reads the request itself. So a window that sends nothing notices an abort within the
 * bound, one that writes ahead every poll never reads the request on its own, and a step that never
 * writes ahead reads it every poll.
 */
import {describe, expect, it} from 'vitest'
import {ABORT_LOOK_BOUND_MS, AbortRequestedError, Triggers} from '../../src/app/triggers.js'
import {requestAbort} from '../../src/engine/abort-request.js'
import {Journal} from '../../src/engine/journal.js'
import {keys} from '../../src/engine/keys.js'
import type {StateStore} from '../../src/ports/store.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'
import {tempDir} from '../fakes/temp.js'

const ID = 'api-1'
const POLL_MS = 5_000

/** A store that counts the reads of the release's abort request. */
function counted(inner: StateStore): {store: StateStore; reads: () => number} {
  let reads = 0
  const store: StateStore = {
    location: inner.location,
    read: (key) => {
      if (key === keys.abortRequest(ID)) reads++
      return inner.read(key)
    },
    list: (prefix) => inner.list(prefix),
    writeAtomic: (key, data, fence) => inner.writeAtomic(key, data, fence),
    append: (key, lines, fence) => inner.append(key, lines, fence),
    createExclusive: (key, data) => inner.createExclusive(key, data),
    compareAndSet: (key, expected, data, fence) => inner.compareAndSet(key, expected, data, fence),
    remove: (key, fence) => inner.remove(key, fence),
  }
  return {store, reads: () => reads}
}

async function armed() {
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
  const {store, reads} = counted(new FileStateStore(tempDir()))
  const journal = new Journal(store, () => clock.now())
  const triggers = new Triggers({store, stopSteps: {abort: ['rolling'], alarms: []}, journal})
  triggers.arm(ID)
  await triggers.atStep('rolling')
  const stepClock = triggers.clock(clock)
  return {clock, store, reads, journal, stepClock}
}

const writeAhead = (journal: Journal) => journal.append({releaseId: ID, type: 'instance', data: {records: [{instanceId: 'i-1', pass: 'forward', phase: 'changing', at: 0}]}})

describe('the look for an abort request from polls that write nothing', () => {
  it('in a step that writes ahead: read once the bound has passed, not every poll, and the request then stops the step', async () => {
    const {clock, store, reads, journal, stepClock} = await armed()
    await stepClock.sleep(POLL_MS)
    await writeAhead(journal)
    const atStart = reads()
    await requestAbort(store, ID, {reason: 'error rate up', by: 'bob@h', at: new Date(clock.now()).toISOString()})
    const started = clock.now()
    let stopped: unknown
    let polls = 0
    while (stopped === undefined && polls < 100) {
      polls++
      await stepClock.sleep(POLL_MS).catch((error: unknown) => (stopped = error))
    }
    expect(stopped).toBeInstanceOf(AbortRequestedError)
    // Noticed within the bound and one poll, with one read of the request, not one a poll.
    expect(clock.now() - started).toBeLessThanOrEqual(ABORT_LOOK_BOUND_MS + POLL_MS)
    expect(clock.now() - started).toBeGreaterThanOrEqual(ABORT_LOOK_BOUND_MS)
    expect(reads() - atStart).toBe(1)
  })

  it('in a step that never writes ahead (a bake): read every poll', async () => {
    const {clock, store, reads, stepClock} = await armed()
    const atStart = reads()
    for (let poll = 0; poll < 3; poll++) await stepClock.sleep(POLL_MS)
    expect(reads() - atStart).toBe(2)
    await requestAbort(store, ID, {reason: 'error rate up', by: 'bob@h', at: new Date(clock.now()).toISOString()})
    await expect(stepClock.sleep(POLL_MS)).rejects.toBeInstanceOf(AbortRequestedError)
  })

  it('never reads on its own while every poll writes ahead: the write-ahead stands for the look', async () => {
    const {reads, journal, stepClock} = await armed()
    const atStart = reads()
    for (let poll = 0; poll < 40; poll++) {
      await stepClock.sleep(POLL_MS)
      // The file store cannot tell whether someone appended: the write-ahead reads the request first.
      const before = reads()
      await writeAhead(journal)
      expect(reads() - before).toBe(1)
    }
    expect(reads() - atStart).toBe(40)
  })

  it('a request recorded between two write-aheads is found by the next one, before it is written', async () => {
    const {clock, store, journal, stepClock} = await armed()
    await stepClock.sleep(POLL_MS)
    await writeAhead(journal)
    await stepClock.sleep(POLL_MS)
    await requestAbort(store, ID, {reason: 'error rate up', by: 'bob@h', at: new Date(clock.now()).toISOString()})
    await expect(writeAhead(journal)).rejects.toBeInstanceOf(AbortRequestedError)
    expect((await journal.read(ID)).filter((e) => e.type === 'instance')).toHaveLength(1)
  })
})
