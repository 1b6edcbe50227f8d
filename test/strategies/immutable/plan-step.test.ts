/**
 * The plan step of an immutable release (strategies/immutable/plan.ts `plan`), on its own: which group
 * is the old one (the live stack's, or an adopted one), which stack the new version runs in, and the
 * account states that stop a release before anything changes.
 */
import {describe, expect, it} from 'vitest'
import type {ImmutableContext} from '../../../machines/immutable.js'
import {immutableStepInputs} from '../../../machines/immutable-inputs.js'
import {plan} from '../../../strategies/immutable/plan.js'
import type {ImmutableDeps} from '../../../strategies/immutable/deps.js'
import {immutableHealthSignals} from '../../../strategies/immutable/health.js'
import {context, releaseStack, stepWorld, TRAFFIC_SOURCE} from './step-world.js'

const run = (deps: ImmutableDeps, ctx: ImmutableContext) => plan(deps)(immutableStepInputs.plan({context: ctx}))
const live = {stackName: 'release-web-1', version: '1.0.0'}

describe('plan', () => {
  it("takes the live stack's group as the old group and names a new stack after the release", async () => {
    const {world, deps, messages} = stepWorld()
    const one = await releaseStack(world, 'release-web-1', '1.0.0')
    await world.fleet.attachTrafficSources(one, [TRAFFIC_SOURCE])
    const output = await run(deps, context({previous: live}))
    expect(output).toEqual({newStack: {name: 'release-web-9', reused: false, group: null}, oldGroup: one})
    const health = immutableHealthSignals(deps.settings)
    expect(messages()).toEqual([`health signals: ${health.signals.join('; ')}`, 'new stack release-web-9 for version 9.0.0'])
  })

  it("reports every line of planning as the planning step's", async () => {
    const {world, deps, steps} = stepWorld({}, {trafficSources: []})
    await run(deps, context({previous: live}))
    await releaseStack(world, 'release-web-5', '9.0.0')
    await run(deps, context({previous: live, adopt: {group: 'g', version: '0.1.0'}}))
    expect(steps()).toEqual(['planning'])
  })

  it('warns when nothing would catch a bad version', async () => {
    const {deps, messages} = stepWorld({}, {trafficSources: []})
    await run(deps, context())
    const health = immutableHealthSignals(deps.settings)
    expect(health.warning).toBeDefined()
    expect(messages()).toEqual([
      `health signals: ${health.signals.join('; ')}`,
      `warning: ${health.warning!}`,
      'new stack release-web-9 for version 9.0.0',
    ])
  })

  it('goes on with no old group when the live stack is gone, and says so', async () => {
    const {deps, messages} = stepWorld()
    const output = await run(deps, context({previous: live}))
    expect(output.oldGroup).toBeNull()
    expect(messages()).toContain(
      'warning: the live stack release-web-1 (version 1.0.0) no longer exists; the new version takes traffic with no old group to fall back on',
    )
  })

  it('adopts the group it was given when there is no live stack, not when there is one', async () => {
    const {world, deps, messages} = stepWorld()
    const stranger = await releaseStack(world, 'hand-made', '0.9.0', {target: 'other'})
    await world.fleet.attachTrafficSources(stranger, [TRAFFIC_SOURCE])
    const adopt = {group: stranger, version: '0.9.0'}
    const output = await run(deps, context({adopt}))
    expect(output.oldGroup).toBe(stranger)
    expect(messages()).toContain(`adopting ${stranger} (version 0.9.0): it is detached after the shift`)

    // With a live stack, its group is the old one and the adopted group is a stranger that serves.
    await releaseStack(world, 'release-web-1', '1.0.0')
    await expect(run(deps, context({adopt, previous: live}))).rejects.toThrow(
      `${stranger} (version 0.9.0) serves the traffic sources but is not the live group of web; nothing was changed`,
    )
  })

  it('stops before anything changes when groups it does not know serve the traffic sources', async () => {
    const {world, deps} = stepWorld()
    const one = await releaseStack(world, 'release-web-1', '1.0.0')
    const a = await releaseStack(world, 'stranger-a', '7.0.0', {target: 'other'})
    const b = await releaseStack(world, 'stranger-b', '8.0.0', {target: 'other'})
    await world.fleet.attachTrafficSources(one, [TRAFFIC_SOURCE])
    await world.fleet.attachTrafficSources(a, [TRAFFIC_SOURCE])
    await expect(run(deps, context({previous: live}))).rejects.toThrow(
      `${a} (version 7.0.0) serves the traffic sources but is not the live group of web; nothing was changed`,
    )
    await world.fleet.attachTrafficSources(b, [TRAFFIC_SOURCE])
    const error = (await run(deps, context({previous: live})).then(() => new Error('not refused'), (e: unknown) => e)) as Error
    expect(error.message).toContain(' serve the traffic sources but are not the live group of web')
    expect(error.message).toContain(`${a} (version 7.0.0)`)
    expect(error.message).toContain(`${b} (version 8.0.0)`)
    expect(error.message).not.toContain(one)
    // Nothing was created.
    expect(await world.stacks.describeStack('release-web-9')).toBeUndefined()
  })

  it('re-uses a retained stack of the same version, never the live one', async () => {
    const {world, deps, messages} = stepWorld()
    const one = await releaseStack(world, 'release-web-1', '1.0.0')
    await releaseStack(world, 'release-web-5', '9.0.0')
    const output = await run(deps, context({previous: live}))
    expect(output).toEqual({newStack: {name: 'release-web-5', reused: true, group: null}, oldGroup: one})
    expect(messages()).toContain('re-using retained stack release-web-5 of version 9.0.0')

    // Rolling out the live version again makes a new stack: the live one stays as it is.
    const again = await run(deps, context({previous: live, version: '1.0.0'}))
    expect(again.newStack).toEqual({name: 'release-web-9', reused: false, group: null})
  })

  it("refuses a stack with the new stack's name made by another release, and accepts its own", async () => {
    const {world, deps} = stepWorld()
    await releaseStack(world, 'release-web-9', '3.0.0', {nonce: 'someone-else'})
    await expect(run(deps, context())).rejects.toThrow(
      /^a stack named release-web-9 already exists \(version 3\.0\.0, CREATE_COMPLETE\) but was not created by this release: .*release ledger rebuild web/,
    )
    // The same step re-run after a crash finds the stack it made (same nonce): that is no clash.
    const own = stepWorld()
    await releaseStack(own.world, 'release-web-9', '8.0.0', {nonce: 'nonce-web-9'})
    expect((await run(own.deps, context())).newStack).toEqual({name: 'release-web-9', reused: false, group: null})
  })
})
