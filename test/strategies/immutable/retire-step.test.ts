/**
 * The retire step of an immutable release (strategies/immutable/retire.ts `retire`), on its own: what
 * the account looks like after it, for each way the old group can leave (scaled to zero, kept warm,
 * already gone, still serving) and for the stacks retention keeps and deletes.
 */
import {describe, expect, it} from 'vitest'
import type {ImmutableContext} from '../../../machines/immutable.js'
import {immutableStepInputs} from '../../../machines/immutable-inputs.js'
import {retire} from '../../../strategies/immutable/retire.js'
import type {ImmutableDeps} from '../../../strategies/immutable/deps.js'
import type {World} from '../../aws/sim.js'
import {context, releaseStack, stepWorld, TRAFFIC_SOURCE} from './step-world.js'

const run = (deps: ImmutableDeps, ctx: ImmutableContext) => retire(deps)(immutableStepInputs.retire({context: ctx}))

async function desired(world: World, group: string): Promise<number | undefined> {
  return (await world.fleet.describeGroup(group))?.desired
}

async function exists(world: World, stack: string): Promise<boolean> {
  return (await world.stacks.describeStack(stack)) !== undefined
}

/** Three earlier releases of web (1, 2 and 3, the live one) and the new stack of release 9. */
async function history(world: World) {
  const groups = {
    one: await releaseStack(world, 'release-web-1', '1.0.0'),
    two: await releaseStack(world, 'release-web-2', '2.0.0'),
    three: await releaseStack(world, 'release-web-3', '3.0.0'),
    nine: await releaseStack(world, 'release-web-9', '9.0.0'),
  }
  const ctx = context({
    previous: {stackName: 'release-web-3', version: '3.0.0'},
    oldGroup: groups.three,
    newStack: {name: 'release-web-9', reused: false, group: groups.nine},
  })
  return {groups, ctx}
}

describe('retire', () => {
  it('scales the old group to zero, keeps the live stack and deletes the older ones, newest first', async () => {
    const {world, deps, messages} = stepWorld({}, {retain: 1})
    const {groups, ctx} = await history(world)
    // Another target's stack is not this release's to retire.
    await releaseStack(world, 'release-api-1', '1.0.0', {target: 'api'})

    const result = await run(deps, ctx)
    expect(result).toEqual({
      scaledDown: [groups.three],
      kept: ['release-web-3'],
      deleted: ['release-web-2', 'release-web-1'],
      warnings: [],
      warm: null,
    })
    expect(await desired(world, groups.three)).toBe(0)
    expect((await world.fleet.describeGroup(groups.three))!.max).toBeGreaterThan(0)
    expect(await exists(world, 'release-web-1')).toBe(false)
    expect(await exists(world, 'release-web-2')).toBe(false)
    // The new stack and the other target's are untouched.
    expect(await exists(world, 'release-web-9')).toBe(true)
    expect(await desired(world, groups.nine)).toBe(2)
    expect(await exists(world, 'release-api-1')).toBe(true)
    expect(messages()).toEqual([
      `scaled ${groups.three} to zero`,
      'deleting release-web-2 (version 2.0.0)',
      'deleting release-web-1 (version 1.0.0)',
    ])
  })

  it('scales every kept stack to zero, and keeps the stack named keepFirst before the previous one', async () => {
    const {world, deps} = stepWorld({}, {retain: 2})
    const {groups, ctx} = await history(world)
    const result = await run(deps, {...ctx, keepFirst: 'release-web-1'})
    expect(result.kept).toEqual(['release-web-1', 'release-web-3'])
    expect(result.deleted).toEqual(['release-web-2'])
    expect(new Set(result.scaledDown)).toEqual(new Set([groups.three, groups.one]))
    expect(result.scaledDown).toHaveLength(2)
    expect(await desired(world, groups.one)).toBe(0)
    expect(await desired(world, groups.three)).toBe(0)
    expect(await desired(world, groups.nine)).toBe(2)
  })

  it('keeps the old group warm for keepWarm, and scales down the other kept stacks', async () => {
    const {world, deps, messages} = stepWorld({}, {retain: 2, keepWarmMs: 600_000})
    const {groups, ctx} = await history(world)
    const now = world.clock.now()
    const result = await run(deps, ctx)
    expect(result.warm).toEqual({group: groups.three, until: new Date(now + 600_000).toISOString()})
    expect(result.kept).toEqual(['release-web-3', 'release-web-2'])
    expect(result.scaledDown).toEqual([groups.two])
    expect(await desired(world, groups.three)).toBe(2)
    expect(await desired(world, groups.two)).toBe(0)
    expect(messages()[0]).toBe(`${groups.three} stays warm until ${result.warm!.until}: a rollback until then is one traffic switch`)
  })

  it("reports every line of retiring as the retiring step's", async () => {
    const warm = stepWorld({}, {retain: 1, keepWarmMs: 600_000})
    await run(warm.deps, (await history(warm.world)).ctx)
    const cold = stepWorld({}, {retain: 1})
    await run(cold.deps, (await history(cold.world)).ctx)
    expect([...warm.steps(), ...cold.steps()]).toEqual(['retiring', 'retiring'])
    expect(cold.messages().length).toBeGreaterThan(1)
  })

  it('keeps nothing warm when the old group is gone, and says nothing of scaling it', async () => {
    const {world, deps, messages} = stepWorld({}, {retain: 0, keepWarmMs: 600_000})
    const nine = await releaseStack(world, 'release-web-9', '9.0.0')
    const ctx = context({oldGroup: 'no-such-group', newStack: {name: 'release-web-9', reused: false, group: nine}})
    const result = await run(deps, ctx)
    expect(result).toEqual({scaledDown: [], kept: [], deleted: [], warnings: [], warm: null})
    expect(messages()).toEqual([])
  })

  it('scales the old group down without keepWarm, however long keepWarm would be elsewhere', async () => {
    const {world, deps} = stepWorld({}, {retain: 1, keepWarmMs: 0})
    const {groups, ctx} = await history(world)
    expect((await run(deps, ctx)).warm).toBeNull()
    expect(await desired(world, groups.three)).toBe(0)
  })

  it('never scales down an old group still attached to a traffic source: a warning names it', async () => {
    const {world, deps, messages} = stepWorld({}, {retain: 1})
    const {groups, ctx} = await history(world)
    await world.fleet.attachTrafficSources(groups.three, [TRAFFIC_SOURCE])
    const result = await run(deps, ctx)
    expect(result.scaledDown).toEqual([])
    expect(result.warnings).toEqual([
      `${groups.three} is still attached to ${TRAFFIC_SOURCE}; it was not scaled down`,
    ])
    expect(await desired(world, groups.three)).toBe(2)
    expect(messages().some((m) => m.startsWith('scaled'))).toBe(false)
  })

  it('reports a stack it could not delete as a warning, and goes on with the others', async () => {
    const {world, deps} = stepWorld({faults: {failStackDeletion: ['2.0.0']}}, {retain: 1})
    const {ctx} = await history(world)
    const result = await run(deps, ctx)
    expect(result.deleted).toEqual(['release-web-1'])
    expect(result.warnings).toHaveLength(1)
    expect(result.warnings[0]).toMatch(/^stack release-web-2 could not be deleted \(DELETE_FAILED: .+\); delete it by hand$/)
    // The account's reason, not a stand-in.
    expect(result.warnings[0]).not.toContain('no reason given')
    expect(await exists(world, 'release-web-1')).toBe(false)
  })

  it('does nothing to a target with no old group and no other stacks', async () => {
    const {world, deps} = stepWorld({}, {retain: 1})
    const nine = await releaseStack(world, 'release-web-9', '9.0.0')
    const result = await run(deps, context({newStack: {name: 'release-web-9', reused: false, group: nine}}))
    expect(result).toEqual({scaledDown: [], kept: [], deleted: [], warnings: [], warm: null})
    expect(await desired(world, nine)).toBe(2)
  })
})
