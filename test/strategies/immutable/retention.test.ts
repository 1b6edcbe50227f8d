/**
 * The retention rule of an immutable target (strategies/immutable/retire.ts), which retire and
 * `release plan` share: which previous stacks are kept for a rollback and which are deleted. Pure, so
 * it is tested on its own; test/app/release.test.ts proves it through whole releases.
 */
import {describe, expect, it} from 'vitest'
import {partitionForRetention, retention} from '../../../strategies/immutable/retire.js'
import type {StackInfo} from '../../../src/ports/stacks.js'

function stack(name: string, createdAt: number, status = 'CREATE_COMPLETE'): StackInfo {
  return {name, id: `id-${name}`, status, parameters: {}, outputs: {}, tags: {}, createdAt}
}

const names = (stacks: StackInfo[]) => stacks.map((s) => s.name)

describe('partitionForRetention', () => {
  it('keeps the newest usable stacks up to retain and deletes the rest, newest first', () => {
    const {keep, remove} = partitionForRetention([stack('a', 1), stack('c', 3), stack('b', 2), stack('d', 4)], 2)
    expect(names(keep)).toEqual(['d', 'c'])
    expect(names(remove)).toEqual(['b', 'a'])
  })

  it('keeps the last live stack first, however old, and counts it in retain', () => {
    const {keep, remove} = partitionForRetention([stack('a', 1), stack('b', 2), stack('c', 3)], 2, 'a')
    expect(names(keep)).toEqual(['a', 'c'])
    expect(names(remove)).toEqual(['b'])
    // With retain 1 only the last live one stays, though the others are newer.
    expect(names(partitionForRetention([stack('c', 3), stack('a', 1), stack('b', 2)], 1, 'a').keep)).toEqual(['a'])
    // A last live name that matches none of the stacks changes nothing.
    expect(names(partitionForRetention([stack('a', 1), stack('b', 2)], 1, 'zzz').keep)).toEqual(['b'])
  })

  it('counts CREATE_COMPLETE and UPDATE_COMPLETE as usable; deletes a failed stack even within retain', () => {
    const stacks = [
      stack('created', 1),
      stack('updated', 2, 'UPDATE_COMPLETE'),
      stack('rolledback', 3, 'ROLLBACK_COMPLETE'),
      stack('failed', 4, 'CREATE_FAILED'),
      stack('live', 0, 'UPDATE_ROLLBACK_FAILED'),
    ]
    const {keep, remove} = partitionForRetention(stacks, 5, 'live')
    expect(names(keep)).toEqual(['updated', 'created'])
    expect(names(remove)).toEqual(['live', 'failed', 'rolledback'])
  })

  it('deletes every stack with retain 0, and does not reorder the stacks it was given', () => {
    const given = [stack('a', 1), stack('b', 2)]
    const {keep, remove} = partitionForRetention(given, 0, 'a')
    expect(keep).toEqual([])
    expect(names(remove)).toEqual(['a', 'b'])
    expect(names(given)).toEqual(['a', 'b'])
  })
})

describe('retention', () => {
  const stacks = [stack('one', 1), stack('two', 2), stack('three', 3)]

  it('keeps the stack of the previous release first when nothing else is named', () => {
    expect(names(retention(stacks, 1, {previous: {stackName: 'one'}}).keep)).toEqual(['one'])
  })

  it('prefers keepFirst (the last known good version) to the previous release', () => {
    expect(names(retention(stacks, 1, {keepFirst: 'two', previous: {stackName: 'one'}}).keep)).toEqual(['two'])
    // keepFirst null means "not named": the previous release's stack is kept first.
    expect(names(retention(stacks, 1, {keepFirst: null, previous: {stackName: 'one'}}).keep)).toEqual(['one'])
  })

  it('keeps the newest first with neither', () => {
    expect(names(retention(stacks, 1, {previous: null}).keep)).toEqual(['three'])
  })
})
