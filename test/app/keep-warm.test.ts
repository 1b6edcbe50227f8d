/**
 * keepWarm and `rollback --emergency` (issue 15.6): inside the keepWarm window the group that served
 * before is still up, so a rollback is one traffic switch: no instance launched, no boot.
 */
import {describe, expect, it} from 'vitest'
import {promote, rollback, rollout} from '../../src/app/release.js'
import type {SimAccount} from '../../src/sim/index.js'
import {versionsTakingTraffic} from '../fakes/account.js'
import {openProject, TRAFFIC_SOURCE} from '../fakes/workspace.js'
import {immutableDetails} from '../../src/engine/release-details.js'

function instanceIds(sim: SimAccount): string[] {
  return sim.view().groups.flatMap((g) => g.instances.map((i) => i.id)).sort()
}

function servingGroups(sim: SimAccount): string[] {
  const source = sim.view().trafficSources.find((s) => s.identifier === TRAFFIC_SOURCE)
  return (source?.groups ?? []).filter((g) => ['Adding', 'Added', 'InService'].includes(g.state)).map((g) => g.name)
}

describe('keepWarm', () => {
  it('keeps the previous group serving-ready, so a rollback inside the window launches nothing', async () => {
    const {ws, sim} = await openProject({capacity: 2, extra: '    keepWarm: 30m\n'})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const first = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    const oldGroup = String(immutableDetails(first.record)?.oldGroup)
    expect(first.message).toMatch(/stays warm until/)
    expect(sim.view().groups.find((g) => g.name === oldGroup)?.desired).toBe(2)
    expect(servingGroups(sim)).not.toContain(oldGroup)

    const before = instanceIds(sim)
    const back = await rollback(ws, {target: 'web'}, {}, {sim})
    expect(back.outcome).toBe('succeeded')
    expect(back.record.details).toMatchObject({stackName: 'release-web-1', reusedStack: true, group: oldGroup})
    expect(instanceIds(sim)).toEqual(before)
    expect(servingGroups(sim)).toEqual([oldGroup])
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
  })

  it('without keepWarm scales the previous group to zero: the rollback boots instances', async () => {
    const {ws, sim} = await openProject({capacity: 2})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(sim.view().groups.find((g) => g.name === immutableDetails(second.record)?.oldGroup)?.desired).toBe(0)
    const before = instanceIds(sim)
    await rollback(ws, {target: 'web'}, {}, {sim})
    expect(instanceIds(sim).filter((id) => !before.includes(id))).toHaveLength(2)
  })
})

describe('rollback --emergency', () => {
  it('skips the bake and the gates, and the ledger says so', async () => {
    const {ws, sim, clock} = await openProject({capacity: 2, bake: '30m', extra: '    keepWarm: 2h\n    gates: [beforeShift, beforeRetire]\n'})
    // Both releases stop at both gates; a person promotes them through.
    for (const version of ['1.0.0', '2.0.0']) {
      let result = await rollout(ws, {target: 'web', version}, {}, {sim})
      while (result.outcome === 'paused') result = await promote(ws, {target: 'web'}, {}, {sim})
      expect(result.outcome).toBe('succeeded')
    }

    const started = clock.now()
    const back = await rollback(ws, {target: 'web', emergency: true}, {}, {sim})
    expect(back.outcome).toBe('succeeded')
    expect(back.record.details).toMatchObject({emergency: true})
    expect(back.message).toMatch(/Emergency rollback: bake and gates were skipped/)
    expect(clock.now() - started).toBeLessThan(30 * 60_000)
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
  })
})
