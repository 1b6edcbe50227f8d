/**
 * scaleToZeroUnlessServing (strategies/immutable/retire.ts), used by retire and at the end of a
 * keepWarm period, on the simulated account through the real Auto Scaling adapter: a group that may
 * serve is never scaled down, and a group scaled down keeps its maximum so a rollback knows its size.
 */
import {describe, expect, it} from 'vitest'
import {scaleToZeroUnlessServing} from '../../../strategies/immutable/retire.js'
import {createFleet, openWorld} from '../../aws/sim.js'
import {TRAFFIC_SOURCE} from '../../fakes/workspace.js'

function world() {
  return openWorld({targetGroups: {[TRAFFIC_SOURCE]: {}}})
}

describe('scaleToZeroUnlessServing', () => {
  it('scales a group that serves nowhere to zero, its maximum kept', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 3)
    // A maximum above the desired count: that maximum, not the count, is what stays.
    await w.fleet.setCapacity(group, {min: 1, max: 5, desired: 3})
    expect(await scaleToZeroUnlessServing(w.fleet, group)).toEqual({scaled: true, gone: false, attachedTo: []})
    const after = (await w.fleet.describeGroup(group))!
    expect({min: after.min, desired: after.desired, max: after.max}).toEqual({min: 0, desired: 0, max: 5})
    // Already at zero: nothing to do, and it says so.
    expect(await scaleToZeroUnlessServing(w.fleet, group)).toEqual({scaled: false, gone: false, attachedTo: []})
  })

  it('never scales down a group still attached to a traffic source, naming the source', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    await w.fleet.attachTrafficSources(group, [TRAFFIC_SOURCE])
    expect(await scaleToZeroUnlessServing(w.fleet, group)).toEqual({scaled: false, gone: false, attachedTo: [TRAFFIC_SOURCE]})
    expect((await w.fleet.describeGroup(group))!.desired).toBe(2)
  })

  it('scales down a group once it is leaving or has left its traffic sources', async () => {
    const w = world()
    const group = await createFleet(w, 'release-web-1', '1.0.0', 2)
    await w.fleet.attachTrafficSources(group, [TRAFFIC_SOURCE])
    await w.fleet.detachTrafficSources(group, [TRAFFIC_SOURCE])
    const states = (await w.fleet.describeTrafficSources(group)).map((s) => s.state)
    expect(states.every((s) => s === 'Removing' || s === 'Removed'), states.join()).toBe(true)
    expect((await scaleToZeroUnlessServing(w.fleet, group)).scaled).toBe(true)
    expect((await w.fleet.describeGroup(group))!.desired).toBe(0)
  })

  it('says a group that no longer exists is gone', async () => {
    expect(await scaleToZeroUnlessServing(world().fleet, 'no-such-group')).toEqual({scaled: false, gone: true, attachedTo: []})
  })
})
