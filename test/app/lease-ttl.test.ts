import {describe, expect, it} from 'vitest'
import {DEFAULT_LEASE_TTL_MS, leaseTtlMs} from '../../src/app/lease-ttl.js'

describe('RELEASE_LEASE_TTL', () => {
  it('is 5 minutes unset, the seconds given when set, refused (exit 2) when not a number of seconds', () => {
    expect(leaseTtlMs({})).toBe(DEFAULT_LEASE_TTL_MS)
    expect(leaseTtlMs({RELEASE_LEASE_TTL: '12'})).toBe(12_000)
    for (const bad of ['0', 'abc', '-5', '1e9']) {
      expect(() => leaseTtlMs({RELEASE_LEASE_TTL: bad})).toThrow(expect.objectContaining({code: 'E_LEASE_TTL', exitCode: 2}))
    }
  })
})
