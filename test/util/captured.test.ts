import {describe, expect, it} from 'vitest'
import {captured} from '../../src/util/captured.js'

describe('captured', () => {
  it('gives the text a group captured, the empty text included', () => {
    const match = /^(\w+)=(\w*)$/.exec('key=')
    expect(match && [captured(match, 1), captured(match, 2)]).toEqual(['key', ''])
  })

  it('refuses a group that took no part in the match, naming it and the text matched', () => {
    const match = /^a(b)?$/.exec('a')
    expect(match).not.toBeNull()
    if (match) expect(() => captured(match, 1)).toThrow('group 1 of the pattern took no part in its match of "a"')
  })
})
