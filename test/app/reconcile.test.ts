/**
 * What takes traffic is read from the account: a group serving that the ledger does not know is
 * adopted or refused (issue 15.1), a lost ledger is rebuilt from the account's tags (15.2), the live
 * version is not released again by accident and the last known good stack is kept (15.3).
 */
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {rebuildLedger} from '../../src/app/ledger-rebuild.js'
import {planRelease} from '../../src/app/plan.js'
import {rollback, rollout} from '../../src/app/release.js'
import {SimAccount} from '../../src/sim/index.js'
import {UserError} from '../../src/errors.js'
import {VirtualClock} from '../../src/util/clock.js'
import {liveStacks, versionsTakingTraffic} from '../fakes/account.js'
import {openProject, TRAFFIC_SOURCE} from '../fakes/workspace.js'
import {immutableDetails} from '../../src/engine/release-details.js'

/** Groups attached (joining or in service) to the web target group, as the account says. */
function groupsServing(sim: SimAccount): string[] {
  const source = sim.view().trafficSources.find((s) => s.identifier === TRAFFIC_SOURCE)
  return (source?.groups ?? []).filter((g) => ['Adding', 'Added', 'InService'].includes(g.state)).map((g) => g.name).sort()
}

async function withLegacyFleet() {
  const project = await openProject({capacity: 2})
  const sim = SimAccount.open({
    clock: new VirtualClock(),
    seed: 3,
    faults: {unhealthyVersions: ['*-bad']},
    fleets: {'legacy-web': {instances: 4, version: '1.0.0', trafficSources: [TRAFFIC_SOURCE]}},
  })
  return {...project, sim}
}

async function refusal(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(UserError)
  return error as UserError
}

describe('a group already serving that the ledger does not know (15.1)', () => {
  it('is shown by plan and refused by a rollout (exit 2, naming it and --adopt) with nothing changed', async () => {
    const {ws, sim} = await withLegacyFleet()
    const plan = await planRelease(ws, {target: 'web', version: '2.0.0'}, {sim})
    expect(plan.immutable?.serving).toEqual([{group: 'legacy-web', version: 'unknown', role: 'foreign'}])
    expect(plan.immutable?.refusal).toMatch(/--adopt legacy-web/)

    const error = await refusal(rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim}))
    expect(error.exitCode).toBe(2)
    expect(error.message).toMatch(/legacy-web/)
    expect(error.hint).toMatch(/--adopt legacy-web/)
    expect(groupsServing(sim)).toEqual(['legacy-web'])
    expect(liveStacks(sim)).toEqual({})
    expect((await ws.ledger.read('web')).releases).toEqual([])
  })

  it('is adopted with --adopt: detached after the shift, exactly one group serving afterwards', async () => {
    const {ws, sim} = await withLegacyFleet()
    const result = await rollout(ws, {target: 'web', version: '2.0.0', adopt: 'legacy-web'}, {}, {sim})
    expect(result.outcome).toBe('succeeded')
    const serving = groupsServing(sim)
    expect(serving).toHaveLength(1)
    expect(serving[0]).toMatch(/^release-web-1-/)
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
    expect(result.record.details).toMatchObject({adopted: {group: 'legacy-web', version: 'unknown'}})
    expect(result.message).toMatch(/Only release-web-1-\S+ serves the traffic sources/)
    expect(result.message).toMatch(/Adopted legacy-web/)
  })
})

describe('a lost ledger with the account kept (15.2)', () => {
  it('is refused until rebuilt, never scaling down the serving group; then releases work', async () => {
    const {ws, sim, dir} = await openProject({capacity: 2})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    const servingBefore = groupsServing(sim)
    const desired = () => Object.fromEntries(sim.view().groups.map((g) => [g.name, g.desired]))
    const capacityBefore = desired()
    rmSync(join(dir, '.release'), {recursive: true, force: true})

    const plan = await planRelease(ws, {target: 'web', version: '3.0.0'}, {sim})
    expect(plan.immutable?.untrackedStacks.map((s) => s.name).sort()).toEqual(['release-web-1', 'release-web-2'])
    expect(plan.immutable?.refusal).toMatch(/release ledger rebuild web/)
    const error = await refusal(rollout(ws, {target: 'web', version: '3.0.0'}, {}, {sim}))
    expect(error.code).toBe('E_LEDGER_BEHIND')
    expect(error.exitCode).toBe(2)
    expect(groupsServing(sim)).toEqual(servingBefore)
    expect(desired()).toEqual(capacityBefore)
    expect(Object.keys(liveStacks(sim)).sort()).toEqual(['release-web-1', 'release-web-2'])

    const rebuilt = await rebuildLedger(ws, {target: 'web'}, {sim})
    expect(rebuilt.liveVersion).toBe('2.0.0')
    expect(rebuilt.added.map((r) => r.id)).toEqual(['web-1', 'web-2'])
    expect(await ws.ledger.lastKnownGood('web')).toBe('1.0.0')

    const next = await rollout(ws, {target: 'web', version: '3.0.0'}, {}, {sim})
    expect(next.outcome).toBe('succeeded')
    expect(next.record.id).toBe('web-3')
    expect(versionsTakingTraffic(sim)).toEqual(['3.0.0'])
    expect(groupsServing(sim)).toHaveLength(1)
    // Retention kept 2.0.0, the last known good, and deleted 1.0.0.
    expect(Object.keys(liveStacks(sim)).sort()).toEqual(['release-web-2', 'release-web-3'])
  })
})

describe('the live version again, and the last known good (15.3)', () => {
  it('refuses a rollout of the live version (exit 2, naming --force), changing nothing', async () => {
    const {ws, sim} = await openProject({capacity: 2})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    const error = await refusal(rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim}))
    expect(error.code).toBe('E_ALREADY_LIVE')
    expect(error.exitCode).toBe(2)
    expect(error.hint).toMatch(/--force/)
    expect((await ws.ledger.read('web')).releases).toHaveLength(2)
    expect(Object.keys(liveStacks(sim)).sort()).toEqual(['release-web-1', 'release-web-2'])
  })

  it('keeps the last known good stack on a forced re-release, so rollback still returns to it', async () => {
    const {ws, sim} = await openProject({capacity: 2})
    await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    // Live 1.0.0, 2.0.0 retained (retain: 1). A deliberate re-release of 1.0.0:
    const again = await rollout(ws, {target: 'web', version: '1.0.0', force: true}, {}, {sim})
    expect(again.outcome).toBe('succeeded')
    expect(liveStacks(sim)).toHaveProperty('release-web-1')
    expect(await ws.ledger.lastKnownGood('web')).toBe('2.0.0')
    const back = await rollback(ws, {target: 'web'}, {}, {sim})
    expect(back.outcome).toBe('succeeded')
    expect(back.record.details).toMatchObject({stackName: 'release-web-1', reusedStack: true})
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
  })

  it('plans what the rollout then does, after rollbacks too (issue 17.1)', async () => {
    const {ws, sim} = await openProject({capacity: 2})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    await rollback(ws, {target: 'web'}, {}, {sim})
    for (const version of ['3.0.0', '2.0.0', '4.0.0']) {
      const plan = await planRelease(ws, {target: 'web', version}, {sim})
      const before = Object.keys(liveStacks(sim))
      const result = await rollout(ws, {target: 'web', version}, {}, {sim})
      expect(result.outcome).toBe('succeeded')
      const after = Object.keys(liveStacks(sim))
      const created = plan.immutable!.createStack ?? plan.immutable!.reuseStack
      expect(immutableDetails(result.record)?.stackName).toBe(created)
      expect(before.filter((s) => !after.includes(s)).sort()).toEqual([...plan.immutable!.delete].sort())
      expect(immutableDetails(result.record)?.retired).toMatchObject({kept: plan.immutable!.keep})
    }
  })
})
