/**
 * What the mutation pass over src/engine/ledger.ts found untested (docs/dev/mutation.md): the id prefix
 * of a named environment, the requested options, which directories count as targets, what `finish`
 * leaves alone, sequence numbers after a gap, and the compare-and-set loop against another writer.
 */
import {beforeEach, describe, expect, it} from 'vitest'
import {Ledger} from '../../src/engine/ledger.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'
import {tempDir} from '../fakes/temp.js'

const KEY = 'targets/web/ledger.json'
let dir: string
let store: FileStateStore
let clock: VirtualClock
let ledger: Ledger

beforeEach(() => {
  dir = tempDir('release-ledger-')
  store = new FileStateStore(dir)
  clock = new VirtualClock(Date.UTC(2026, 0, 1))
  ledger = new Ledger(store, () => clock.now())
})

/**
 * The file store with another process's write landing between this process's read and its
 * compare-and-set, `times` times: the interleaving two runners (or a runner and `release abort`) make.
 */
class InterleavedStore extends FileStateStore {
  interleaved = 0
  constructor(
    root: string,
    private readonly times: number,
    private readonly otherWrite: (text: string) => string,
  ) {
    super(root)
  }
  override async compareAndSet(key: string, expected: string | undefined, data: string): Promise<boolean> {
    if (key === KEY && this.interleaved < this.times) {
      this.interleaved++
      const now = await this.read(key)
      if (now !== undefined) await this.writeAtomic(key, this.otherWrite(now))
    }
    return super.compareAndSet(key, expected, data)
  }
}

describe('the ledger', () => {
  it('puts a named environment before release ids', async () => {
    const staging = new Ledger(store, () => clock.now(), 'staging-')
    expect((await staging.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})).id).toBe('staging-web-1')
    expect((await staging.begin('web', {version: '2', strategy: 'immutable', kind: 'rollout'})).id).toBe('staging-web-2')
  })

  it('records the options asked for with the release, and none when none were given', async () => {
    const options = {adopt: {group: 'legacy', version: '0.9'}, force: true}
    const record = await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout', options})
    expect(record.options).toEqual(options)
    expect((await ledger.read('web')).releases[0]!.options).toEqual(options)
    const plain = await ledger.begin('web', {version: '2', strategy: 'immutable', kind: 'rollout'})
    expect('options' in plain).toBe(false)
  })

  it('numbers a release after the highest sequence number, not after the count', async () => {
    const release = {target: 'web', version: '1', strategy: 'immutable', kind: 'rollout', state: 'succeeded', outcome: 'succeeded', startedAt: '2026-01-01T00:00:00.000Z', previousVersion: null}
    await store.writeAtomic(KEY, JSON.stringify({target: 'web', liveVersion: '1', releases: [{...release, id: 'web-7', seq: 7}, {...release, id: 'web-3', seq: 3}]}))
    expect((await ledger.begin('web', {version: '2', strategy: 'immutable', kind: 'rollout'})).seq).toBe(8)
  })

  it('finish keeps a message and details it is not given, and a failed release leaves the live version', async () => {
    await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
    await ledger.update('web', 'web-1', {message: 'shifting traffic', details: {stackName: 's'}})
    const done = await ledger.finish('web', 'web-1', {state: 'failed', outcome: 'failed'})
    expect(done).toMatchObject({message: 'shifting traffic', details: {stackName: 's'}, state: 'failed', outcome: 'failed'})
    expect((await ledger.read('web')).liveVersion).toBeNull()
  })

  it('finish records the message and details it is given', async () => {
    await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
    await ledger.update('web', 'web-1', {message: 'shifting traffic', details: {stackName: 's'}})
    await ledger.finish('web', 'web-1', {state: 'succeeded', outcome: 'succeeded', message: 'live', details: {stackName: 't'}})
    expect((await ledger.read('web')).releases[0]).toMatchObject({message: 'live', details: {stackName: 't'}})
  })

  it('a field patched to undefined is gone from the record, not set to undefined', async () => {
    await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
    await ledger.update('web', 'web-1', {message: 'waiting'})
    expect('message' in (await ledger.update('web', 'web-1', {message: undefined}))).toBe(false)
  })

  it('writes the ledger as indented JSON ending with a newline, and names it when it is not JSON', async () => {
    await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
    const text = (await store.read(KEY))!
    expect(text.endsWith('}\n')).toBe(true)
    expect(text).toContain('\n  "target": "web"')
    await store.writeAtomic(KEY, '{')
    await expect(ledger.read('web')).rejects.toThrow(/the ledger is not valid JSON/)
  })

  it('update changes only the fields patched', async () => {
    await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
    const updated = await ledger.update('web', 'web-1', {outcome: 'paused'})
    expect(updated).toMatchObject({state: 'planning', outcome: 'paused'})
    expect('message' in updated).toBe(false)
    expect('endedAt' in updated).toBe(false)
  })

  it('refuses a target name that is not one as an unknown target, writing nothing', async () => {
    await expect(ledger.begin('a/b', {version: '1', strategy: 'immutable', kind: 'rollout'})).rejects.toMatchObject({
      code: 'E_UNKNOWN_TARGET',
      message: '"a/b" is not a valid target',
    })
    expect(await store.list('')).toEqual([])
  })

  it('lists as targets only the directories holding a ledger', async () => {
    await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
    await store.writeAtomic('targets/api/lease.json', '{}')
    expect(await ledger.targets()).toEqual(['web'])
  })

  it('decides again on the ledger as another writer left it, keeping both changes', async () => {
    await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
    // Another process marks web-1 paused between this process's read and its write, twice.
    const other = new InterleavedStore(dir, 2, (text) => {
      const value = JSON.parse(text) as {revision: number; releases: {message?: string}[]}
      value.releases[0]!.message = `paused by the other (${value.revision})`
      value.revision++
      return JSON.stringify(value)
    })
    const racing = new Ledger(other, () => clock.now())
    await racing.update('web', 'web-1', {state: 'provisioning'})
    const after = await racing.read('web')
    expect(other.interleaved).toBe(2)
    expect(after.releases[0]).toMatchObject({state: 'provisioning', message: 'paused by the other (2)'})
    expect(after.revision).toBe(4)
  })

  it('gives up with E_MOVED_ON, nothing of its own written, when every attempt loses to another writer', async () => {
    await ledger.begin('web', {version: '1', strategy: 'immutable', kind: 'rollout'})
    const other = new InterleavedStore(dir, Number.POSITIVE_INFINITY, (text) => {
      const value = JSON.parse(text) as {revision: number}
      value.revision++
      return JSON.stringify(value)
    })
    const racing = new Ledger(other, () => clock.now())
    const error = await racing.update('web', 'web-1', {state: 'provisioning'}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_MOVED_ON', exitCode: 2})
    // 1 attempt and 20 retries, each lost; then the revision found is the other writer's last.
    expect(other.interleaved).toBe(21)
    expect((error as Error).message).toMatch(/changed since it was read \(revision 21, now 22\)/)
    expect(error).toMatchObject({hint: 'See release status web, then decide again.'})
    expect((await ledger.read('web')).releases[0]!.state).toBe('planning')
  })
})
