import {describe, expect, it} from 'vitest'
import {printableText} from '../../src/util/text.js'

describe('printableText', () => {
  it.each([
    ['a clear-screen and colour sequence', 'error\x1b[2J\x1b[31m rate up\x1b[0m', 'error rate up'],
    ['a window-title OSC ended by BEL', 'freeze\x1b]0;pwned\x07 now', 'freeze now'],
    ['an OSC 8 hyperlink ended by ESC \\', '\x1b]8;;http://x\x1b\\click\x1b]8;;\x1b\\', 'click'],
    ['a C1 CSI', 'a\x9b2Jb', 'a 2Jb'],
    ['newlines, tabs and a carriage return', 'line one\n\tline two\rthree', 'line one line two three'],
    ['bidi overrides', 'ok \u202Eevil\u202C', 'ok evil '],
    ['a lone ESC at the end', 'done\x1b', 'done'],
  ])('strips %s', (_what, input, expected) => {
    expect(printableText(input)).toBe(expected)
  })

  it('keeps ordinary text, accents and emoji as they are', () => {
    expect(printableText('déploiement gelé — 🚫 until 14:00')).toBe('déploiement gelé — 🚫 until 14:00')
  })
})
