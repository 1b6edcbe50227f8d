/**
 * Instances Systems Manager cannot deliver to never received the change: the way back does not "restore"
 * them with another command (undeliverable too), it returns them from Standby as they were, so that
 * no instance is stranded and the group's desired capacity is what it was.
 */
import {describe, expect, it} from 'vitest'
import {rollout} from '../../../src/app/release.js'
import {statusOf} from '../../../src/app/views.js'
import {notInService, openIncremental, versionCounts} from '../../fakes/incremental.js'

describe('undeliverable instances', () => {
  it.each([0.1, 0.3])('with %s of the fleet undeliverable, the release rolls back with nothing in Standby and the capacity as before', async (share) => {
    const {ws, sim} = await openIncremental({instances: 20, maxUnavailable: '4', faults: {undeliverableInstances: share}, seed: 11})
    const desiredBefore = sim.view().groups[0]!.desired
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('rolledBack')
    expect(notInService(sim)).toEqual([])
    expect(sim.view().groups[0]!.desired).toBe(desiredBefore)
    expect(versionCounts(sim)).toEqual({'1.0.0': 20})
    // The release says which instances it could not deliver to, and why.
    expect(result.message).toMatch(/i-[0-9a-f]+[^,]*Undeliverable/)
    expect(await statusOf(ws, 'api')).toMatchObject({release: {outcome: 'rolledBack'}})
  })
})
