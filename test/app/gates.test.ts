import {describe, expect, it} from 'vitest'
import {abort, promote, resume, rollout} from '../../src/app/release.js'
import {statusOf} from '../../src/app/views.js'
import {liveStacks, versionsTakingTraffic} from '../fakes/account.js'
import {openIncremental, notInService, versionCounts} from '../fakes/incremental.js'
import {openProject} from '../fakes/workspace.js'

async function webWithGates(gates: ('beforeShift' | 'beforeRetire')[]) {
  const project = await openProject()
  const web = project.ws.config.targets.web!
  if (web.strategy !== 'immutable') throw new Error('web is immutable')
  await rollout(project.ws, {target: 'web', version: '1.0.0'}, {}, {sim: project.sim})
  web.gates = gates
  return project
}

describe('gates of an immutable release', () => {
  it('pauses before the shift (exit 10) with traffic untouched, and promote finishes it', async () => {
    const {ws, sim} = await webWithGates(['beforeShift'])
    const paused = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(paused).toMatchObject({outcome: 'paused', exitCode: 10, record: {state: 'pausedBeforeShift'}})
    expect(paused.message).toMatch(/release promote web/)
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(await statusOf(ws, 'web')).toMatchObject({liveVersion: '1.0.0', release: {outcome: 'paused', state: 'pausedBeforeShift'}, lock: null})

    await expect(rollout(ws, {target: 'web', version: '3.0.0'}, {}, {sim})).rejects.toMatchObject({code: 'E_PAUSED', exitCode: 2})
    await expect(resume(ws, {target: 'web'}, {}, {sim})).rejects.toMatchObject({code: 'E_PAUSED'})

    const done = await promote(ws, {target: 'web'}, {}, {sim})
    expect(done).toMatchObject({outcome: 'succeeded', exitCode: 0})
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
  })

  it('abort before the shift discards the new stack: aborted, exit 3, the old version live', async () => {
    const {ws, sim} = await webWithGates(['beforeShift'])
    await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    const aborted = await abort(ws, {target: 'web', reason: 'change freeze'}, {}, {sim})
    expect(aborted).toMatchObject({outcome: 'aborted', exitCode: 3})
    expect(aborted.message).toMatch(/change freeze/)
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(await statusOf(ws, 'web')).toMatchObject({liveVersion: '1.0.0', release: {outcome: 'aborted'}})
  })

  it('abort before retiring returns traffic to the old group first', async () => {
    const {ws, sim} = await webWithGates(['beforeRetire'])
    const paused = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(paused.record.state).toBe('pausedBeforeRetire')
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
    const aborted = await abort(ws, {target: 'web'}, {}, {sim})
    expect(aborted.outcome).toBe('aborted')
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
  })

  it('promote or abort with no release at a gate is refused', async () => {
    const {ws, sim} = await webWithGates([])
    await expect(promote(ws, {target: 'web'}, {}, {sim})).rejects.toMatchObject({code: 'E_NOT_PAUSED', exitCode: 2})
    await expect(abort(ws, {target: 'web'}, {}, {sim})).rejects.toMatchObject({code: 'E_NOT_PAUSED', exitCode: 2})
  })
})

describe('the afterCanary gate of an incremental release', () => {
  async function apiWithGate() {
    const project = await openIncremental({instances: 8})
    const api = project.ws.config.targets.api!
    if (api.strategy !== 'incremental') throw new Error('api is incremental')
    api.gates = ['afterCanary']
    return project
  }

  it('pauses with only the canary changed, then promote changes the rest', async () => {
    const {ws, sim} = await apiWithGate()
    const paused = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(paused).toMatchObject({outcome: 'paused', exitCode: 10, record: {state: 'pausedAfterCanary'}})
    expect(versionCounts(sim)).toEqual({'1.0.0': 7, '2.0.0': 1})
    expect(notInService(sim)).toEqual([])
    const done = await promote(ws, {target: 'api'}, {}, {sim})
    expect(done.outcome).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 8})
  })

  it('abort puts the canary back on its previous version', async () => {
    const {ws, sim} = await apiWithGate()
    await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    const aborted = await abort(ws, {target: 'api', reason: 'latency'}, {}, {sim})
    expect(aborted).toMatchObject({outcome: 'aborted', exitCode: 3})
    expect(versionCounts(sim)).toEqual({'1.0.0': 8})
    expect(notInService(sim)).toEqual([])
  })
})
