import {describe, expect, it} from 'vitest'
import {rollback, rollout} from '../../src/app/release.js'
import {statusOf} from '../../src/app/views.js'
import {UserError} from '../../src/errors.js'
import {liveStacks, runningInstances, versionsTakingTraffic} from '../fakes/account.js'
import {openProject} from '../fakes/workspace.js'

describe('immutable release on the simulated account', () => {
  it('rolls out the first version: one stack, every instance healthy and taking traffic', async () => {
    const {ws, sim} = await openProject({capacity: 3})
    const result = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    expect(result.outcome).toBe('succeeded')
    expect(result.exitCode).toBe(0)
    expect(liveStacks(sim)).toEqual({'release-web-1': 'CREATE_COMPLETE'})
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    const status = await statusOf(ws, 'web')
    expect(status).toMatchObject({target: 'web', liveVersion: '1.0.0', release: {id: 'web-1', version: '1.0.0', strategy: 'immutable', state: 'succeeded', outcome: 'succeeded'}})
  })

  it('moves traffic red/black and keeps the old stack scaled to zero for rollback', async () => {
    const {ws, sim} = await openProject({capacity: 3})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(second.outcome).toBe('succeeded')
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
    expect(Object.keys(liveStacks(sim)).sort()).toEqual(['release-web-1', 'release-web-2'])
    const running = Object.values(runningInstances(sim)).flat()
    expect(running).toEqual(['2.0.0', '2.0.0', '2.0.0'])

    // retain 1: the third release deletes the oldest stack.
    await rollout(ws, {target: 'web', version: '3.0.0'}, {}, {sim})
    expect(Object.keys(liveStacks(sim)).sort()).toEqual(['release-web-2', 'release-web-3'])
  })

  it('rolls a version that fails its health checks back on its own: traffic never moves, its stack is deleted', async () => {
    const {ws, sim} = await openProject()
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const bad = await rollout(ws, {target: 'web', version: '1.1.0-bad'}, {}, {sim})
    expect(bad.outcome).toBe('rolledBack')
    expect(bad.exitCode).toBe(3)
    expect(bad.record.state).toBe('rolledBack')
    // EC2 status checks pass for a bad version: its verify commands catch it before traffic moves.
    expect(bad.message).toMatch(/verifying/)
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
    expect((await statusOf(ws, 'web')).liveVersion).toBe('1.0.0')
  })

  it('rolls back when stack creation fails, leaving no stack behind', async () => {
    const {ws, sim} = await openProject()
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const result = await rollout(ws, {target: 'web', version: '1.1.0-nostack'}, {}, {sim})
    expect(result.outcome).toBe('rolledBack')
    expect(result.record.details?.failure).toMatchObject({step: 'provisioning'})
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
  })

  it('returns traffic to the old group when the new one turns unhealthy during the bake', async () => {
    const {ws, sim} = await openProject({bake: '10m'})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    // Later than the shift (the old group's targets drain for 300 s): it turns unhealthy in the bake.
    sim.setFaults({degradeVersions: [{pattern: '*-flaky', afterSeconds: 900}]})
    const result = await rollout(ws, {target: 'web', version: '2.0.0-flaky'}, {}, {sim})
    expect(result.outcome).toBe('rolledBack')
    expect(result.record.details?.failure).toMatchObject({step: 'baking'})
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
    expect(Object.values(runningInstances(sim)).flat()).toEqual(['1.0.0', '1.0.0', '1.0.0'])
  })

  it('rides out a throttling storm on the virtual clock', async () => {
    const {ws, sim, clock} = await openProject()
    const stormEnd = clock.now() + 90_000
    sim.setFaults({throttle: {rate: 1, until: stormEnd}})
    const result = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    expect(result.outcome).toBe('succeeded')
    // The storm was real: calls were refused, and the release went on once it was over.
    expect(sim.metrics().throttled).toBeGreaterThan(0)
    expect(clock.now()).toBeGreaterThan(stormEnd)
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
  })

  it('ends failed, naming what is left where, when the rollback itself fails', async () => {
    const {ws, sim} = await openProject()
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    sim.setFaults({unhealthyVersions: ['*-bad'], failStackDeletion: ['*-bad']})
    const result = await rollout(ws, {target: 'web', version: '2.0.0-bad'}, {}, {sim})
    expect(result.outcome).toBe('failed')
    expect(result.exitCode).toBe(1)
    expect(result.message).toMatch(/release-web-2/)
    expect(result.message).toMatch(/Next:/)
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect((await statusOf(ws, 'web')).liveVersion).toBe('1.0.0')
  })

  it('rolls back to the last known good version by re-using its retained stack', async () => {
    const {ws, sim} = await openProject()
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    const back = await rollback(ws, {target: 'web'}, {}, {sim})
    expect(back.outcome).toBe('succeeded')
    expect(back.record).toMatchObject({kind: 'rollback', version: '1.0.0'})
    expect(back.record.details).toMatchObject({stackName: 'release-web-1', reusedStack: true})
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    // No stack was created for the rollback; 2.0.0 is now the retained one.
    expect(Object.keys(liveStacks(sim)).sort()).toEqual(['release-web-1', 'release-web-2'])
    expect((await statusOf(ws, 'web')).liveVersion).toBe('1.0.0')
  })

  it('refuses a rollback with no earlier version, changing nothing', async () => {
    const {ws, sim} = await openProject()
    await expect(rollback(ws, {target: 'web'}, {}, {sim})).rejects.toMatchObject({code: 'E_NO_EARLIER_VERSION', exitCode: 2})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    await expect(rollback(ws, {target: 'web'}, {}, {sim})).rejects.toBeInstanceOf(UserError)
    expect((await ws.ledger.read('web')).releases).toHaveLength(1)
  })

  it.each([
    ['', 'E_VERSION'],
    ['x'.repeat(129), 'E_VERSION'],
    ['1.0 beta', 'E_VERSION'],
    ['1.0/../2', 'E_VERSION'],
  ])('refuses version %j before anything changes', async (version, code) => {
    const {ws, sim} = await openProject()
    await expect(rollout(ws, {target: 'web', version}, {}, {sim})).rejects.toMatchObject({code, exitCode: 2})
    expect(sim.view().stacks).toEqual([])
    expect((await ws.ledger.read('web')).releases).toEqual([])
  })

  it('refuses an unknown target before anything changes', async () => {
    const {ws, sim} = await openProject()
    await expect(rollout(ws, {target: 'wbe', version: '1.0.0'}, {}, {sim})).rejects.toMatchObject({exitCode: 2})
    expect(sim.view().stacks).toEqual([])
  })

  it('refuses a second release of a target while the first holds the lease', async () => {
    const {ws, sim} = await openProject()
    const first = rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const second = rollout(ws, {target: 'web', version: '1.0.1'}, {}, {sim})
    const results = await Promise.allSettled([first, second])
    const refused = results.filter((r) => r.status === 'rejected')
    expect(refused).toHaveLength(1)
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({code: 'E_LOCKED', exitCode: 4})
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
  })

  it('runs a 10-instance rollout at full speed on the virtual clock', async () => {
    const {ws, sim} = await openProject({capacity: 10})
    const result = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    expect(result.outcome).toBe('succeeded')
    expect(Object.values(runningInstances(sim)).flat()).toHaveLength(10)
  })
})

describe('parameter values the template refuses', () => {
  it('are refused before anything changes (exit 2), not found out by a failed release', async () => {
    const {ws, sim} = await openProject({capacity: 51})
    await expect(rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})).rejects.toMatchObject({
      code: 'E_PARAMETER',
      exitCode: 2,
      message: expect.stringMatching(/DesiredCapacity/),
    })
    expect(sim.view().stacks).toEqual([])
    expect((await ws.ledger.read('web')).releases).toEqual([])
  })
})
