/**
 * Where the engine keeps things in a state store (src/engine/keys.ts): the layout is the on-disk (and
 * DynamoDB) format of every state directory already written, so each key is pinned; names that could
 * step outside their directory are refused with the error a user can act on.
 */
import {describe, expect, it} from 'vitest'
import {corruptState, keys, parseStateJson, segment} from '../../src/engine/keys.js'
import {UserError} from '../../src/errors.js'
import {FileStateStore} from '../../src/store/file.js'
import {tempDir} from '../fakes/temp.js'

function refusal(run: () => unknown): UserError {
  try {
    run()
  } catch (error) {
    if (error instanceof UserError) return error
    throw error
  }
  throw new Error('not refused')
}

describe('the state layout', () => {
  it('keeps each kind of thing under its own key', () => {
    expect(keys.ledger('web')).toBe('targets/web/ledger.json')
    expect(keys.lease('web')).toBe('locks/web.json')
    expect(keys.fence('web')).toBe('locks/web.fence')
    expect(keys.journal('web-3')).toBe('releases/web-3/journal.ndjson')
    expect(keys.snapshot('web-3')).toBe('releases/web-3/snapshot.json')
    expect(keys.abortRequest('web-3')).toBe('releases/web-3/abort.json')
    expect(keys.notices('web-3')).toBe('releases/web-3/notices.ndjson')
  })

  it('takes names of letters, digits, dot, underscore and hyphen up to 128 characters', () => {
    for (const name of ['a', 'web', 'Web_2.x-y', '9', 'a'.repeat(128)]) expect(segment('target', name)).toBe(name)
  })

  it('refuses a target name that could leave its directory, with E_UNKNOWN_TARGET and where to find one', () => {
    for (const name of ['', '..', '.hidden', '-x', 'a/b', 'a\\b', 'a b', 'a'.repeat(129), 'web\n']) {
      const error = refusal(() => keys.ledger(name))
      expect(error.code, name).toBe('E_UNKNOWN_TARGET')
      expect(error.message).toBe(`${JSON.stringify(name)} is not a valid target`)
      expect(error.hint).toBe('Use a target name from release.yml.')
    }
    expect(refusal(() => keys.lease('../x')).code).toBe('E_UNKNOWN_TARGET')
    expect(refusal(() => keys.fence('../x')).code).toBe('E_UNKNOWN_TARGET')
    expect(refusal(() => segment('target', 42 as unknown as string)).code).toBe('E_UNKNOWN_TARGET')
  })

  it('refuses a release id the same way, with E_UNKNOWN_RELEASE and where to find one', () => {
    for (const read of [keys.journal, keys.snapshot, keys.abortRequest, keys.notices]) {
      const error = refusal(() => read('../web-1'))
      expect(error.code).toBe('E_UNKNOWN_RELEASE')
      expect(error.message).toBe('"../web-1" is not a valid release id')
      expect(error.hint).toBe('Use a release id as shown by `release history <target>`.')
    }
  })
})

describe('state that cannot be read back', () => {
  const store = () => new FileStateStore(tempDir('release-keys-'))

  it('is refused with exit 2, naming the file (and the line when there is one) and what to do', () => {
    const s = store()
    const whole = corruptState(s, 'targets/web/ledger.json', 'the ledger is not an object')
    expect(whole.code).toBe('E_STATE_CORRUPT')
    expect(whole.exitCode).toBe(2)
    expect(whole.message).toBe(`${s.location}/targets/web/ledger.json: the ledger is not an object`)
    expect(whole.hint).toBe('Restore the file from a backup or move it aside (release never overwrites it), then retry.')
    expect(corruptState(s, 'releases/web-1/journal.ndjson', 'bad', 7).message).toBe(`${s.location}/releases/web-1/journal.ndjson:7: bad`)
  })

  it('parses JSON or names what the file should have been', () => {
    const s = store()
    expect(parseStateJson(s, 'k.json', '{"a":1}', 'the ledger')).toEqual({a: 1})
    const error = refusal(() => parseStateJson(s, 'k.json', '{', 'the ledger'))
    expect(error.code).toBe('E_STATE_CORRUPT')
    expect(error.message).toMatch(new RegExp(`^${s.location.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/k\\.json: the ledger is not valid JSON \\(.+\\)$`))
  })
})
