import {describe, expect, it} from 'vitest'
import {formatDuration, parseDuration} from '../../src/config/duration.js'
import {validateVersion} from '../../src/config/version.js'
import {UserError} from '../../src/errors.js'

function thrown(fn: () => unknown): UserError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return error as UserError
  }
  throw new Error('expected a UserError')
}

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['0s', 0],
    ['1m30s', 90_000],
    ['2s250ms', 2_250],
    [' 5m ', 300_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', '90', '1.5h', '30m1h', '5 m', '-1s', '1d', 'm', '1hh', '1M'])('refuses %j, saying the accepted form', (text) => {
    const e = thrown(() => parseDuration(text))
    expect(e.code).toBe('E_DURATION')
    expect(e.exitCode).toBe(2)
    expect(e.message).toContain('e.g. 90s, 2m, 1h30m, 500ms or 0s')
  })

  it('formats back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m')
    expect(formatDuration(1_500)).toBe('1s500ms')
    expect(formatDuration(0)).toBe('0s')
  })
})

describe('validateVersion', () => {
  it('accepts letters, digits and ._+-', () => {
    expect(validateVersion('1.4.2')).toBe('1.4.2')
    expect(validateVersion('2026.01.07-rc1+build_7')).toBe('2026.01.07-rc1+build_7')
    expect(validateVersion('x'.repeat(128))).toHaveLength(128)
  })

  it('says which rule failed', () => {
    const empty = thrown(() => validateVersion(''))
    expect(empty.code).toBe('E_VERSION')
    expect(empty.exitCode).toBe(2)
    expect(empty.message).toMatch(/^the version is empty; a version is 1 to 128 characters, only letters, digits and \. _ \+ -/)
    expect(thrown(() => validateVersion('x'.repeat(129))).message).toMatch(/is 129 characters long, more than 128/)
    expect(thrown(() => validateVersion('1.0 beta')).message).toMatch(/^version "1\.0 beta" contains " " at position 4, which is not allowed/)
    expect(thrown(() => validateVersion('v1/2')).message).toMatch(/contains '\/' at position 3/)
  })

  it('refuses a version that would read as an option or a directory where it is substituted', () => {
    const dash = thrown(() => validateVersion('-rf'))
    expect(dash.code).toBe('E_VERSION')
    expect(dash.exitCode).toBe(2)
    expect(dash.message).toMatch(/^version "-rf" starts with '-', so a command it is substituted into would read it as an option/)
    expect(thrown(() => validateVersion('--version=2')).message).toMatch(/contains '='/)
    expect(thrown(() => validateVersion('--help')).message).toMatch(/starts with '-'/)
    expect(thrown(() => validateVersion('..')).message).toMatch(/^version "\.\." would name a directory/)
    expect(thrown(() => validateVersion('.')).code).toBe('E_VERSION')
    expect(validateVersion('1.0.0-rc1')).toBe('1.0.0-rc1')
    expect(validateVersion('...')).toBe('...')
  })
})
