/**
 * Ledgers on disk outlive the code that wrote them: ledgers of today's format (fixtures written by a
 * rollout of each strategy, December 2026) and older records still read, and every reader of the
 * per-release details (status, history, warm period, live and last known good stacks) finds in them
 * what it found before the details were typed.
 */
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {lastKnownGoodStack, liveStack} from '../../src/app/kinds/immutable.js'
import {releaseView} from '../../src/app/views.js'
import {warmGroupOf} from '../../src/app/warm.js'
import {keys} from '../../src/engine/keys.js'
import {lastKnownGoodOf, Ledger, type TargetLedger} from '../../src/engine/ledger.js'
import {immutableDetails, stackNameOf} from '../../src/engine/release-details.js'
import {FileStateStore} from '../../src/store/file.js'

const fixture = (name: string) => readFile(path.join(import.meta.dirname, 'fixtures', name), 'utf8')

let dir: string
let store: FileStateStore
let ledger: Ledger
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-ledger-format-'))
  store = new FileStateStore(dir)
  ledger = new Ledger(store, () => Date.UTC(2026, 0, 2))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

async function readFixture(target: string, name: string): Promise<TargetLedger> {
  await store.writeAtomic(keys.ledger(target), await fixture(name))
  return ledger.read(target)
}

describe('a ledger of today\'s format', () => {
  it('immutable: reads whole, and its readers find the live, last known good and warm stacks', async () => {
    const text = await fixture('ledger-web-2026-12.json')
    const web = await readFixture('web', 'ledger-web-2026-12.json')
    expect(web).toEqual(JSON.parse(text))
    expect(web.releases.map((r) => [r.id, r.version, r.outcome])).toEqual([
      ['web-1', '1.0.0', 'succeeded'],
      ['web-2', '2.0.0', 'succeeded'],
      ['web-3', '2.1.0-bad', 'rolledBack'],
      ['web-4', '1.0.0', 'succeeded'],
    ])
    // web-4 rolled back to 1.0.0 by re-using the retained stack of web-1.
    expect(liveStack(web)).toEqual({version: '1.0.0', stackName: 'release-web-1'})
    expect(lastKnownGoodOf(web)).toBe('2.0.0')
    expect(lastKnownGoodStack(web, '3.0.0')).toBe('release-web-1')
    expect(lastKnownGoodStack(web, '1.0.0')).toBe('release-web-2')
    expect(warmGroupOf(web)).toEqual({releaseId: 'web-4', group: 'release-web-2-Group-O90BRUC55Z54', until: '2026-01-01T01:02:19.375Z'})
    expect(web.releases.map(stackNameOf)).toEqual(['release-web-1', 'release-web-2', 'release-web-3', 'release-web-1'])
    const back = web.releases[2]!
    expect(back.details?.failure).toEqual({step: 'verifying', message: expect.stringMatching(/^smoke check failed/)})
    expect(immutableDetails(back)).toMatchObject({reusedStack: false, oldGroup: 'release-web-2-Group-O90BRUC55Z54', retired: null})
    expect(releaseView(web.releases[3]!)).toEqual({
      id: 'web-4', version: '1.0.0', strategy: 'immutable', kind: 'rollback', state: 'succeeded', outcome: 'succeeded',
      previousVersion: '2.0.0', startedAt: web.releases[3]!.startedAt, endedAt: web.releases[3]!.endedAt, message: web.releases[3]!.message,
    })
  })

  it('incremental: reads whole; its details name no stack and keep the plan, tally and restore', async () => {
    const api = await readFixture('api', 'ledger-api-2026-12.json')
    expect(api.liveVersion).toBe('1.0.0')
    expect(api.releases.map(stackNameOf)).toEqual([undefined, undefined])
    expect(api.releases.map((r) => immutableDetails(r))).toEqual([undefined, undefined])
    expect(liveStack(api)).toBeNull()
    expect(api.releases[1]!.details).toMatchObject({plan: {fleetSize: 4, window: 1}, tally: {changed: 0, failed: 0}, failure: {step: 'canary'}, restore: {restored: 1, stranded: []}})
  })

  it('takes a change and writes the details back as they were', async () => {
    const web = await readFixture('web', 'ledger-web-2026-12.json')
    const before = web.releases[0]!.details
    await ledger.update('web', 'web-1', {message: 'noted'})
    const after = await ledger.read('web')
    expect(after.releases[0]!.details).toEqual(before)
    expect(after.revision).toBe((web.revision ?? 0) + 1)
  })
})

describe('older records', () => {
  it('a rebuilt record, one without the fields added since, and one with no details still read', async () => {
    const old = {
      target: 'web',
      liveVersion: '1.1.0',
      releases: [
        // Before revisions, reusedStack, retired.warm and the warm period's end existed.
        {id: 'web-1', target: 'web', seq: 1, version: '1.0.0', strategy: 'immutable', kind: 'rollout', state: 'succeeded', outcome: 'succeeded', startedAt: '2025-01-01T00:00:00.000Z', previousVersion: null, details: {stackName: 'release-web-1', group: 'g1', oldGroup: null, retired: {scaledDown: [], kept: [], deleted: [], warnings: []}}},
        // `release ledger rebuild` writes only these.
        {id: 'web-2', target: 'web', seq: 2, version: '1.1.0', strategy: 'immutable', kind: 'rollout', state: 'succeeded', outcome: 'succeeded', startedAt: '2025-01-02T00:00:00.000Z', previousVersion: null, details: {stackName: 'release-web-2', rebuilt: true}},
        {id: 'web-3', target: 'web', seq: 3, version: '1.2.0', strategy: 'immutable', kind: 'rollout', state: 'failed', outcome: 'failed', startedAt: '2025-01-03T00:00:00.000Z', previousVersion: '1.1.0'},
      ],
    }
    await store.writeAtomic(keys.ledger('web'), JSON.stringify(old))
    const web = await ledger.read('web')
    expect(liveStack(web)).toEqual({version: '1.1.0', stackName: 'release-web-2'})
    expect(lastKnownGoodStack(web, '2.0.0')).toBe('release-web-2')
    expect(lastKnownGoodStack(web, '1.1.0')).toBe('release-web-1')
    expect(warmGroupOf(web)).toBeUndefined()
    expect(web.releases.map(stackNameOf)).toEqual(['release-web-1', 'release-web-2', undefined])
  })
})
