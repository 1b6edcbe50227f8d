/** `release drift` (issue 10): each kind of drift caused in the simulated account, then found. */
import {describe, expect, it} from 'vitest'
import {drift} from '../../src/app/drift.js'
import {rollout} from '../../src/app/release.js'
import {UserError} from '../../src/errors.js'
import {openIncremental} from '../fakes/incremental.js'
import {openProject, TRAFFIC_SOURCE} from '../fakes/workspace.js'

describe('release drift, immutable', () => {
  it('is in sync after a release, then finds a stack property edited outside CloudFormation', async () => {
    const {ws, sim} = await openProject({capacity: 2})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const [clean] = await drift(ws, {target: 'web'}, {sim})
    expect(clean, JSON.stringify(clean)).toMatchObject({target: 'web', inSync: true, findings: [], desiredVersion: '1.0.0'})
    expect(sim.metrics().calls['cloudformation:DetectStackDrift']).toBe(1)

    sim.causeDrift({kind: 'stack', stackName: 'release-web-1', logicalId: 'Group', property: 'MaxSize', value: '9'})
    const [report] = await drift(ws, {target: 'web'}, {sim})
    expect(report!.inSync).toBe(false)
    expect(report!.findings).toEqual([
      expect.objectContaining({kind: 'stackResource', stack: 'release-web-1', logicalId: 'Group', status: 'MODIFIED', property: '/Properties/MaxSize', expected: '2', actual: '9'}),
    ])
    // Set back to the template's value: no difference left.
    sim.causeDrift({kind: 'stack', stackName: 'release-web-1', logicalId: 'Group', property: 'MaxSize', value: '2'})
    expect((await drift(ws, {target: 'web'}, {sim}))[0]!.inSync).toBe(true)
  })

  it('finds a retained group scaled back up and serving beside the live one, and an instance changed by hand', async () => {
    const {ws, sim} = await openProject({capacity: 2})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(second.outcome, second.message).toBe('succeeded')
    const oldGroup = String(second.record.details?.oldGroup)
    const liveGroup = String(second.record.details?.group)
    expect((await drift(ws, {target: 'web'}, {sim}))[0]!.inSync).toBe(true)

    await sim.handle('autoscaling', 'UpdateAutoScalingGroup', {AutoScalingGroupName: oldGroup, MinSize: 0, MaxSize: 2, DesiredCapacity: 2})
    await sim.handle('autoscaling', 'AttachTrafficSources', {AutoScalingGroupName: oldGroup, TrafficSources: [{Identifier: TRAFFIC_SOURCE}]})
    const instance = sim.view().groups.find((g) => g.name === liveGroup)!.instances[0]!.id
    sim.causeDrift({kind: 'instance', instanceId: instance, version: '1.5.0'})

    const [report] = await drift(ws, {target: 'web'}, {sim})
    expect(report!.inSync).toBe(false)
    const kinds = report!.findings.map((f) => f.kind).sort()
    expect(kinds).toEqual(['extraServing', 'instanceVersion', 'retainedScaledUp'])
    expect(report!.findings).toContainEqual(expect.objectContaining({kind: 'extraServing', group: oldGroup, version: '1.0.0'}))
    expect(report!.findings).toContainEqual(expect.objectContaining({kind: 'retainedScaledUp', group: oldGroup, desired: 2}))
    expect(report!.findings).toContainEqual({kind: 'instanceVersion', instance, expected: '2.0.0', actual: '1.5.0', joined: false})
  })

  it('refuses an unknown target before reading the account', async () => {
    const {ws, sim} = await openProject({capacity: 2})
    await expect(drift(ws, {target: 'nope'}, {sim})).rejects.toBeInstanceOf(UserError)
    expect(sim.metrics().calls['cloudformation:DetectStackDrift'] ?? 0).toBe(0)
  })
})

describe('release drift, incremental', () => {
  it('finds an instance changed by hand, with its version read by the current command', async () => {
    const {ws, sim} = await openIncremental({instances: 4})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    expect((await drift(ws, {target: 'api'}, {sim}))[0]).toMatchObject({inSync: true, findings: []})

    const instance = sim.view().groups[0]!.instances[2]!.id
    sim.causeDrift({kind: 'instance', instanceId: instance, version: '1.0.0'})
    const [report] = await drift(ws, {target: 'api'}, {sim})
    expect(report).toMatchObject({inSync: false, desiredVersion: '2.0.0'})
    expect(report!.findings).toEqual([{kind: 'instanceVersion', instance, expected: '2.0.0', actual: '1.0.0', joined: false}])
  })

  it('finds an instance that joined the fleet since the release, and one of the release no longer there', async () => {
    const {ws, sim, clock} = await openIncremental({instances: 4})
    await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    const before = sim.view().groups[0]!.instances.map((i) => i.id)
    // Scaled in by one (an instance of the release leaves), then out by one (a new one joins).
    await sim.handle('autoscaling', 'SetDesiredCapacity', {AutoScalingGroupName: 'api-fleet', DesiredCapacity: 3})
    clock.advance(10 * 60_000)
    await sim.handle('autoscaling', 'SetDesiredCapacity', {AutoScalingGroupName: 'api-fleet', DesiredCapacity: 4})
    clock.advance(10 * 60_000)
    const now = sim.view().groups[0]!.instances.filter((i) => i.lifecycle === 'InService').map((i) => i.id)
    const joined = now.filter((id) => !before.includes(id))
    const gone = before.filter((id) => !now.includes(id))
    expect(joined).toHaveLength(1)
    // Someone's old image: it boots the old version.
    sim.causeDrift({kind: 'instance', instanceId: joined[0]!, version: '1.0.0'})
    const [report] = await drift(ws, {target: 'api'}, {sim})
    expect(report!.inSync).toBe(false)
    expect(report!.findings).toContainEqual({kind: 'instanceMissing', instance: gone[0]})
    expect(report!.findings).toContainEqual({kind: 'instanceVersion', instance: joined[0], expected: '2.0.0', actual: '1.0.0', joined: true})
  })
})
