import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {resume, rollout} from '../../src/app/release.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {statusOf} from '../../src/app/views.js'
import {Journal} from '../../src/engine/journal.js'
import {SimAccount, type SimFaults} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {liveStacks, versionsTakingTraffic} from '../fakes/account.js'
import {notInService, openIncremental, versionCounts} from '../fakes/incremental.js'
import {makeProject, TRAFFIC_SOURCE} from '../fakes/workspace.js'

/** web with `alarms: [...]`, on an account that has `existing` alarms watching its traffic source. */
async function webWithAlarms(names: string[], existing: string[], faults: SimFaults = {}) {
  const dir = makeProject({bake: '30m', extra: `    alarms: [${names.join(', ')}]\n`})
  const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
  const sim = SimAccount.open({
    clock: new VirtualClock(),
    seed: 3,
    targetGroups: {[TRAFFIC_SOURCE]: {}},
    faults: {unhealthyVersions: ['*-bad'], ...faults},
    alarms: Object.fromEntries(existing.map((name) => [name, {trafficSources: [TRAFFIC_SOURCE]}])),
  })
  return {ws, sim}
}

/** When the alarm entered its present state, as the account says. */
function alarmSince(sim: SimAccount, name: string): string | undefined {
  return sim.view().alarms.find((a) => a.name === name)?.since
}

function setAlarm(sim: SimAccount, name: string, state: string, reason: string) {
  return sim.handle('cloudwatch', 'SetAlarmState', {AlarmName: name, StateValue: state, StateReason: reason})
}

describe('alarms of an immutable target', () => {
  it('an alarm that fires during the bake rolls the release back, naming the alarm, its reason and since when', async () => {
    const {ws, sim} = await webWithAlarms(['web-errors'], ['web-errors'], {alarmingVersions: ['*-alarm'], alarmAfterSeconds: 900})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const result = await rollout(ws, {target: 'web', version: '2.0.0-alarm'}, {}, {sim})
    expect(result, result.message).toMatchObject({outcome: 'rolledBack', exitCode: 3, record: {details: {failure: {step: 'baking'}}}})
    expect(result.message).toMatch(/alarm web-errors is in ALARM since \d{4}-\d\d-\d\dT[\d:.]+Z: Threshold Crossed/)
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
    const notes = (await new Journal(ws.store, ws.now).read('web-2')).filter((e) => e.type === 'note').map((e) => e.message)
    expect(notes).toContainEqual(expect.stringMatching(/^alarm web-errors is in ALARM since .*going back$/))
  })

  it('an alarm already in ALARM refuses the rollout (exit 2, nothing changed); --ignore-alarms goes anyway, recorded', async () => {
    const {ws, sim} = await webWithAlarms(['web-errors'], ['web-errors'])
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    await setAlarm(sim, 'web-errors', 'ALARM', 'p99 latency above 2 s')
    await expect(rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})).rejects.toMatchObject({
      code: 'E_ALARMING',
      exitCode: 2,
      message: expect.stringMatching(/alarm web-errors is in ALARM since .*: p99 latency above 2 s/),
      hint: expect.stringMatching(/--ignore-alarms/),
    })
    expect((await ws.ledger.read('web')).releases).toHaveLength(1)
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])

    const forced = await rollout(ws, {target: 'web', version: '2.0.0', ignoreAlarms: true}, {}, {sim})
    expect(forced.outcome, forced.message).toBe('succeeded')
    const notes = (await new Journal(ws.store, ws.now).read('web-2')).filter((e) => e.type === 'note').map((e) => e.message)
    expect(notes).toContainEqual(expect.stringMatching(/^started with alarm web-errors is in ALARM .*--ignore-alarms by .+@/))
  })

  it('an alarm let through by --ignore-alarms stays let through after a crash and a resume', async () => {
    const {ws, sim} = await webWithAlarms(['web-errors'], ['web-errors'])
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    // Every version breaches from now on: the alarm goes to ALARM and stays there, with the same since,
    // through the whole release (a hand-set state would return to OK within a minute and prove nothing).
    sim.setFaults({unhealthyVersions: ['*-bad'], alarmingVersions: ['*'], alarmAfterSeconds: 0})
    await expect(rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})).rejects.toMatchObject({code: 'E_ALARMING'})
    const since = alarmSince(sim, 'web-errors')
    class Crash extends Error {}
    // The process dies on its way into the bake, where alarms are watched.
    const onTransition = (state: string) => {
      if (state === 'baking') throw new Crash()
    }
    const crashed = await rollout(ws, {target: 'web', version: '2.0.0', ignoreAlarms: true}, {onTransition}, {sim}).catch((e: unknown) => e)
    expect(crashed).toBeInstanceOf(Crash)
    expect(await statusOf(ws, 'web')).toMatchObject({release: {id: 'web-2', state: 'baking', outcome: 'inProgress'}})
    const resumed = await resume(ws, {target: 'web'}, {}, {sim})
    expect(resumed.outcome, resumed.message).toBe('succeeded')
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
    // The alarm was in ALARM all along, the same one that was let through: only the record of it kept
    // the resumed bake from counting it.
    expect(alarmSince(sim, 'web-errors')).toBe(since)
    const notes = (await new Journal(ws.store, ws.now).read('web-2')).filter((e) => e.type === 'note').map((e) => e.message)
    expect(notes.filter((n) => /going back/.test(n ?? ''))).toEqual([])
  })

  it('after a resume, an alarm let through still counts once it fires again (a new since)', async () => {
    const {ws, sim} = await webWithAlarms(['web-errors'], ['web-errors'])
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    sim.setFaults({unhealthyVersions: ['*-bad'], alarmingVersions: ['*'], alarmAfterSeconds: 0})
    await expect(rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})).rejects.toMatchObject({code: 'E_ALARMING'})
    class Crash extends Error {}
    const onTransition = (state: string) => {
      if (state === 'baking') throw new Crash()
    }
    await rollout(ws, {target: 'web', version: '2.0.0', ignoreAlarms: true}, {onTransition}, {sim}).catch(() => undefined)
    // Back to OK by hand, and then breaching again after the next evaluation: a new ALARM, not the one let through.
    await setAlarm(sim, 'web-errors', 'OK', 'reset by hand')
    await sim.clock.sleep(61_000)
    const resumed = await resume(ws, {target: 'web'}, {}, {sim})
    expect(resumed, resumed.message).toMatchObject({outcome: 'rolledBack', exitCode: 3})
    expect(resumed.message).toMatch(/alarm web-errors is in ALARM since/)
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
  })

  it('an alarm the account does not have is refused before anything changes', async () => {
    const {ws, sim} = await webWithAlarms(['web-errors', 'web-latency'], ['web-errors'])
    await expect(rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})).rejects.toMatchObject({
      code: 'E_ALARM_UNKNOWN',
      exitCode: 2,
      message: expect.stringMatching(/no CloudWatch alarm web-latency$/),
    })
    expect(liveStacks(sim)).toEqual({})
    expect((await ws.ledger.read('web')).releases).toHaveLength(0)
  })
})

describe('alarms of an incremental target', () => {
  it('an alarm that fires during the canary rolls the release back with every instance on its previous version', async () => {
    const {ws} = await openIncremental({instances: 8, canary: 2, maxUnavailable: '1', extra: '    alarms: [api-errors]\n'})
    // The fake opens its own account: this one has the alarm, watching the fleet's group.
    const alarmed = SimAccount.open({
      clock: new VirtualClock(),
      seed: 5,
      faults: {alarmingVersions: ['*-alarm'], alarmAfterSeconds: 0},
      fleets: {'api-fleet': {instances: 8, version: '1.0.0'}},
      alarms: {'api-errors': {groups: ['api-fleet']}},
    })
    const result = await rollout(ws, {target: 'api', version: '2.0.0-alarm'}, {}, {sim: alarmed})
    expect(result, result.message).toMatchObject({outcome: 'rolledBack', exitCode: 3, record: {details: {failure: {step: 'canary'}}}})
    expect(result.message).toMatch(/alarm api-errors is in ALARM since/)
    expect(versionCounts(alarmed)).toEqual({'1.0.0': 8})
    expect(notInService(alarmed)).toEqual([])
    expect(await statusOf(ws, 'api')).toMatchObject({release: {outcome: 'rolledBack'}})
  })
})
