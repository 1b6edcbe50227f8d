/**
 * The store of one named environment (src/store/prefixed.ts `environmentStore`): every key, and every
 * fence's lease and marked key, under `envs/<name>/` of the store below, so that two environments'
 * state never meets. Over the file store, and over a store that records what it was asked, for the
 * parts the file store does not show (a fence's marked key, a store without appendIfAlone).
 */
import {describe, expect, it} from 'vitest'
import {FenceError, type Fence, type StateStore} from '../../src/ports/store.js'
import {FileStateStore} from '../../src/store/file.js'
import {environmentStore} from '../../src/store/prefixed.js'
import {tempDir} from '../fakes/temp.js'

/** A store that records each call with its arguments and answers as if it had worked. */
function recording(withAppendIfAlone: boolean) {
  const calls: unknown[][] = []
  const record =
    <T>(name: string, answer: T) =>
    (...args: unknown[]) => {
      calls.push([name, ...args])
      return Promise.resolve(answer)
    }
  const store: StateStore = {
    location: '/state',
    read: record('read', 'v'),
    writeAtomic: record('writeAtomic', undefined),
    append: record('append', undefined),
    ...(withAppendIfAlone ? {appendIfAlone: record('appendIfAlone', true)} : {}),
    createExclusive: record('createExclusive', true),
    compareAndSet: record('compareAndSet', true),
    remove: record('remove', undefined),
    list: record('list', ['a']),
  }
  return {store, calls}
}

describe('the store of an environment', () => {
  it('keeps every key under envs/<name>/ of the store below, apart from the top level and other environments', async () => {
    const root = tempDir('release-env-store-')
    const base = new FileStateStore(root)
    const staging = environmentStore(base, 'staging')
    const preview = environmentStore(base, 'pr-7')
    expect(staging.location).toBe(`${root}/envs/staging`)

    await base.writeAtomic('targets/web/ledger.json', 'top')
    await staging.writeAtomic('targets/web/ledger.json', 'staging')
    expect(await staging.read('targets/web/ledger.json')).toBe('staging')
    expect(await preview.read('targets/web/ledger.json')).toBeUndefined()
    expect(await base.read('envs/staging/targets/web/ledger.json')).toBe('staging')
    expect(await base.read('targets/web/ledger.json')).toBe('top')

    await staging.append('journal/web-1.jsonl', ['a', 'b'])
    expect(await base.read('envs/staging/journal/web-1.jsonl')).toBe('a\nb\n')
    expect(await staging.createExclusive('leases/web.json', '{"token":1}')).toBe(true)
    expect(await staging.createExclusive('leases/web.json', '{"token":2}')).toBe(false)
    expect(await staging.compareAndSet('leases/web.json', '{"token":1}', '{"token":3}')).toBe(true)
    expect(await base.read('envs/staging/leases/web.json')).toBe('{"token":3}')
    expect(await staging.list('targets')).toEqual(['web'])
    expect(await preview.list('targets')).toEqual([])
    await staging.remove('targets/web/ledger.json')
    expect(await base.read('envs/staging/targets/web/ledger.json')).toBeUndefined()
    expect(await base.read('targets/web/ledger.json')).toBe('top')
  })

  it("checks a fence against the environment's own lease", async () => {
    const base = new FileStateStore(tempDir('release-env-fence-'))
    const staging = environmentStore(base, 'staging')
    const fence: Fence = {key: 'leases/web.json', token: 4}
    // The same lease key at the top level holds the token: it is not staging's lease.
    await base.writeAtomic('leases/web.json', '{"token":4}')
    await expect(staging.writeAtomic('targets/web/ledger.json', 'x', fence)).rejects.toBeInstanceOf(FenceError)
    await staging.writeAtomic('leases/web.json', '{"token":4}')
    for (const write of [
      () => staging.writeAtomic('targets/web/ledger.json', 'x', fence),
      () => staging.append('journal/web-1.jsonl', 'x', fence),
      () => staging.compareAndSet('targets/web/ledger.json', 'x', 'y', fence),
      () => staging.remove('targets/web/ledger.json', fence),
    ]) {
      await write()
    }
    await staging.writeAtomic('leases/web.json', '{"token":5}')
    await expect(staging.append('journal/web-1.jsonl', 'y', fence)).rejects.toBeInstanceOf(FenceError)
    await expect(staging.compareAndSet('journal/web-1.jsonl', 'x\n', 'z', fence)).rejects.toBeInstanceOf(FenceError)
    await expect(staging.remove('journal/web-1.jsonl', fence)).rejects.toBeInstanceOf(FenceError)
    expect(await staging.read('journal/web-1.jsonl')).toBe('x\n')
  })

  it("moves a fence's lease and marked key under the environment, and passes the rest as given", async () => {
    const {store, calls} = recording(true)
    const env = environmentStore(store, 'qa')
    const fence = {key: 'leases/web.json', token: 2, marked: 'journal/web-1.jsonl'}
    const moved = {key: 'envs/qa/leases/web.json', token: 2, marked: 'envs/qa/journal/web-1.jsonl'}
    expect(await env.appendIfAlone?.('journal/web-1.jsonl', ['a'], fence)).toBe(true)
    await env.append('journal/web-1.jsonl', 'b', {key: 'leases/web.json', token: 3})
    await env.writeAtomic('k', 'd')
    expect(calls).toEqual([
      ['appendIfAlone', 'envs/qa/journal/web-1.jsonl', ['a'], moved],
      ['append', 'envs/qa/journal/web-1.jsonl', 'b', {key: 'envs/qa/leases/web.json', token: 3}],
      ['writeAtomic', 'envs/qa/k', 'd', undefined],
    ])
  })

  it('reads part of a value under the environment, over a store that can', async () => {
    const below = new FileStateStore(tempDir('release-prefixed-'))
    const qa = environmentStore(below, 'qa')
    await qa.append('releases/qa-web-1/journal.ndjson', ['one', 'two'])
    expect((await qa.readFrom!('releases/qa-web-1/journal.ndjson', 4)).toString('utf8')).toBe('two\n')
    expect((await below.readFrom('envs/qa/releases/qa-web-1/journal.ndjson', 4)).toString('utf8')).toBe('two\n')
    expect(environmentStore(recording(false).store, 'qa').readFrom).toBeUndefined()
  })

  it('has no appendIfAlone over a store without one', () => {
    expect(environmentStore(recording(false).store, 'qa').appendIfAlone).toBeUndefined()
    expect(environmentStore(recording(true).store, 'qa').appendIfAlone).toBeTypeOf('function')
  })
})
