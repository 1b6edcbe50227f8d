/**
 * A damaged ledger is refused with what is wrong with it, field by field (found by the mutation pass,
 * docs/dev/mutation.md): a reader never goes on with a ledger it cannot rely on.
 */
import {beforeEach, describe, expect, it} from 'vitest'
import {Ledger} from '../../src/engine/ledger.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'
import {tempDir} from '../fakes/temp.js'

let store: FileStateStore
let ledger: Ledger
const release = {id: 'web-1', target: 'web', seq: 1, version: '1.0.0', strategy: 'immutable', kind: 'rollout', state: 'succeeded', outcome: 'succeeded', startedAt: '2026-01-01T00:00:00.000Z', previousVersion: null}
const good = {target: 'web', revision: 1, liveVersion: '1.0.0', releases: [release]}

beforeEach(() => {
  store = new FileStateStore(tempDir('release-ledger-'))
  const clock = new VirtualClock(Date.UTC(2026, 0, 1))
  ledger = new Ledger(store, () => clock.now())
})

describe('a damaged ledger', () => {
  it.each<[string, unknown, RegExp]>([
    ['an array', [], /expected an object/],
    ['null', null, /expected an object/],
    ['a string', 'web', /expected an object/],
    ['a numeric live version', {...good, liveVersion: 1}, /liveVersion is neither a string nor null/],
    ['a negative revision', {...good, revision: -1}, /revision is not a count/],
    ['a fractional revision', {...good, revision: 1.5}, /revision is not a count/],
    ['releases that are not a list', {...good, releases: {}}, /releases is not a list/],
    ['a release that is null', {...good, releases: [release, null]}, /releases\[1\] is not an object/],
    ['a release that is a number', {...good, releases: [3]}, /releases\[0\] is not an object/],
    ['a release without id', {...good, releases: [{...release, id: undefined}]}, /releases\[0\] lacks id, seq, version or outcome/],
    ['a release with a textual seq', {...good, releases: [{...release, seq: '1'}]}, /lacks id, seq, version or outcome/],
    ['a release without version', {...good, releases: [{...release, version: undefined}]}, /lacks id, seq, version or outcome/],
    ['a release without outcome', {...good, releases: [{...release, outcome: undefined}]}, /lacks id, seq, version or outcome/],
  ])('with %s is refused, saying what is wrong (E_STATE_CORRUPT)', async (_what, value, problem) => {
    await store.writeAtomic('targets/web/ledger.json', JSON.stringify(value))
    const error = await ledger.read('web').catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_STATE_CORRUPT', message: expect.stringMatching(/the ledger is damaged: /)})
    expect((error as Error).message).toMatch(problem)
    expect((error as Error).message).toContain('targets/web/ledger.json')
  })

  it('is read when whole: a live version of null, no revision (an older ledger), revision 0', async () => {
    for (const value of [good, {...good, liveVersion: null}, {...good, revision: undefined}, {...good, revision: 0}]) {
      await store.writeAtomic('targets/web/ledger.json', JSON.stringify(value))
      expect(await ledger.read('web')).toEqual(value)
    }
  })

  it('an unknown release id names the recent releases, or says there are none', async () => {
    await store.writeAtomic('targets/web/ledger.json', JSON.stringify({...good, releases: []}))
    await expect(ledger.update('web', 'web-9', {state: 'x'})).rejects.toMatchObject({code: 'E_UNKNOWN_RELEASE', hint: 'Target web has no releases yet.'})
    const many = Array.from({length: 7}, (_, i) => ({...release, id: `web-${i + 1}`, seq: i + 1}))
    await store.writeAtomic('targets/web/ledger.json', JSON.stringify({...good, releases: many}))
    await expect(ledger.update('web', 'web-9', {state: 'x'})).rejects.toMatchObject({
      message: 'target web has no release web-9',
      hint: 'Recent releases of web: web-3, web-4, web-5, web-6, web-7.',
    })
  })
})
