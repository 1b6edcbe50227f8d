import {describe, expect, it} from 'vitest'
import {filterTimestamp, invocationSlices, type KnownCommand} from '../../src/aws/invocation-slices.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')
const shell = (secondsAfter: number, targets: number, documentName = 'AWS-RunShellScript'): KnownCommand => ({requestedAt: T0 + secondsAfter * 1000 + 250, targets, documentName})

describe('invocationSlices (listing several commands by time range)', () => {
  it('lists small neighbours in one range, the commands between them counting against the page', () => {
    const known = new Map([
      ['a', shell(0, 10)],
      ['b', shell(3, 10)],
      ['c', shell(6, 40)],
      ['d', shell(9, 10)],
    ])
    // a and b share a page; d alone is cheaper by CommandId than a range that pages over c.
    expect(invocationSlices(['a', 'b', 'd'], known, 50)).toEqual([{after: T0, before: T0 + 4000, documentName: 'AWS-RunShellScript', commandIds: ['a', 'b']}])
    // Three of 30 are two pages in one range, three by CommandId.
    const thirties = new Map([0, 2, 4].map((s, i) => [`c${i}`, shell(s, 30)] as const))
    expect(invocationSlices(['c0', 'c1', 'c2'], thirties, 50)).toEqual([{after: T0, before: T0 + 5000, documentName: 'AWS-RunShellScript', commandIds: ['c0', 'c1', 'c2']}])
  })

  it('leaves to CommandId listings the unknown commands and those of a second holding more than a page', () => {
    const known = new Map([
      ['big1', shell(0, 50)],
      ['big2', shell(0, 50)],
      ['small', shell(5, 5)],
    ])
    expect(invocationSlices(['big1', 'small', 'never-seen'], known, 50)).toEqual([])
  })

  it('never puts commands of two documents in one range (the DocumentName filter is one value)', () => {
    const known = new Map([
      ['a', shell(0, 5)],
      ['b', shell(1, 5, 'Custom-Doc')],
      ['c', shell(2, 5)],
    ])
    const slices = invocationSlices(['a', 'b', 'c'], known, 50)
    expect(slices).toEqual([{after: T0, before: T0 + 3000, documentName: 'AWS-RunShellScript', commandIds: ['a', 'c']}])
  })

  it('counts against the page only the known commands of the range and of its document', () => {
    const at = (ms: number, targets: number, documentName = 'AWS-RunShellScript'): KnownCommand => ({requestedAt: T0 + ms, targets, documentName})
    const ab = {after: T0 + 3000, before: T0 + 6000, documentName: 'AWS-RunShellScript', commandIds: ['a', 'b']}
    const small = [['a', at(3250, 10)], ['b', at(5250, 10)]] as const
    // 45 more invocations in the range make it two pages, no cheaper than a and b by CommandId.
    expect(invocationSlices(['a', 'b'], new Map([...small, ['x', at(4000, 45)]]), 50)).toEqual([])
    // Not those of another document (a listing names one), nor those requested before or after the range.
    expect(invocationSlices(['a', 'b'], new Map([...small, ['x', at(4000, 45, 'Custom-Doc')]]), 50)).toEqual([ab])
    expect(invocationSlices(['a', 'b'], new Map([...small, ['x', at(2999, 45)]]), 50)).toEqual([ab])
    expect(invocationSlices(['a', 'b'], new Map([...small, ['x', at(6000, 45)]]), 50)).toEqual([ab])
    // The range starts at its first second, inclusive.
    expect(invocationSlices(['a', 'b'], new Map([...small, ['x', at(3000, 45)]]), 50)).toEqual([])
  })

  it('orders the asked commands by request time, whatever order they are asked in', () => {
    const known = new Map([
      ['a', shell(0, 10)],
      ['b', shell(3, 10)],
      ['c', shell(6, 40)],
      ['d', shell(9, 10)],
    ])
    expect(invocationSlices(['d', 'b', 'a'], known, 50)).toEqual([{after: T0, before: T0 + 4000, documentName: 'AWS-RunShellScript', commandIds: ['a', 'b']}])
  })

  it('writes filter times as the SSM documentation does, in whole seconds', () => {
    expect(filterTimestamp(T0 + 1999)).toBe('2026-01-01T00:00:01Z')
  })
})
