/** `release drift` (issue 10): each kind of drift caused in the simulated account, then found. */
import {describe, expect, it} from 'vitest'
import {drift} from '../../src/app/drift.js'
import {rollout} from '../../src/app/release.js'
import {UserError} from '../../src/errors.js'
import type {SimAccount} from '../../src/sim/account.js'
import {openIncremental} from '../fakes/incremental.js'
import {openProject, TRAFFIC_SOURCE} from '../fakes/workspace.js'
import {immutableDetails} from '../../src/engine/release-details.js'

/** Immutable web reading its instances' versions, as the quickstart's web does. */
const CURRENT = "    current: ['release-sim get-version']\n"

/** The Run Commands the simulated account has received, newest first (what SSM's ListCommands answers). */
async function commandsSent(sim: SimAccount): Promise<{DocumentName?: string; Parameters?: Record<string, string[]>; InstanceIds?: string[]}[]> {
  const listed = (await sim.handle('ssm', 'ListCommands', {MaxResults: 50})) as {Commands?: {DocumentName?: string; Parameters?: Record<string, string[]>; InstanceIds?: string[]}[]}
  return listed.Commands ?? []
}

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
    const {ws, sim} = await openProject({capacity: 2, extra: CURRENT})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(second.outcome, second.message).toBe('succeeded')
    const oldGroup = String(immutableDetails(second.record)?.oldGroup)
    const liveGroup = String(immutableDetails(second.record)?.group)
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

  it('without current, says the live instances were not checked and invents no finding', async () => {
    const {ws, sim} = await openProject({capacity: 2})
    const first = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const group = String(immutableDetails(first.record)?.group)
    sim.causeDrift({kind: 'instance', instanceId: sim.view().groups.find((g) => g.name === group)!.instances[0]!.id, version: '0.9.0'})
    const before = (await commandsSent(sim)).length
    const [report] = await drift(ws, {target: 'web'}, {sim})
    expect(report!.findings).toEqual([])
    expect(report!.checked).toContain(`2 instances of ${group} in service; their versions not checked: no current command (set targets.web.current in release.yml)`)
    expect((await commandsSent(sim)).length).toBe(before)
  })

  it('with current, reads each live instance through SSM and finds the one changed by hand', async () => {
    const {ws, sim} = await openProject({capacity: 2, extra: CURRENT})
    const first = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const group = String(immutableDetails(first.record)?.group)
    const instances = sim.view().groups.find((g) => g.name === group)!.instances.map((i) => i.id)
    const before = (await commandsSent(sim)).length
    sim.causeDrift({kind: 'instance', instanceId: instances[1]!, version: '0.9.0'})
    const [report] = await drift(ws, {target: 'web'}, {sim})
    expect(report!.findings).toEqual([{kind: 'instanceVersion', instance: instances[1], expected: '1.0.0', actual: '0.9.0', joined: false}])
    expect(report!.checked).toContain(`2 instances of ${group} in service, versions read with the current command`)
    // Read on the instances, not from the simulator's own view: the command went through SSM.
    const sent = await commandsSent(sim)
    expect(sent.length).toBe(before + 1)
    expect(sent[0]).toMatchObject({DocumentName: 'AWS-RunShellScript', Parameters: {commands: ['release-sim get-version']}})
    expect([...(sent[0]!.InstanceIds ?? [])].sort()).toEqual([...instances].sort())
  })

  it('reports a live instance whose current command fails, with why, rather than skipping it', async () => {
    // An unknown release-sim subcommand fails on the instance, as a broken script would.
    const {ws, sim} = await openProject({capacity: 2, extra: "    current: ['release-sim get-version', 'release-sim nope']\n"})
    const first = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const group = String(immutableDetails(first.record)?.group)
    const [report] = await drift(ws, {target: 'web'}, {sim})
    expect(report!.inSync).toBe(false)
    expect(report!.findings).toHaveLength(2)
    for (const f of report!.findings) expect(f).toMatchObject({kind: 'instanceVersion', expected: '1.0.0', actual: null, reason: expect.stringMatching(/current command failed/)})
    expect(report!.findings.map((f) => (f.kind === 'instanceVersion' ? f.instance : '')).sort()).toEqual(sim.view().groups.find((g) => g.name === group)!.instances.map((i) => i.id).sort())
  })

  it('reports a live instance whose SSM agent never registers, after waiting for it', async () => {
    const {ws, sim, clock} = await openProject({capacity: 2, extra: CURRENT, faults: {unregisteredVersions: ['*-noagent']}})
    const first = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const group = String(immutableDetails(first.record)?.group)
    sim.causeDrift({kind: 'launch', group, version: '0.9.0-noagent'})
    clock.advance(5 * 60_000)
    const stray = sim.view().groups.find((g) => g.name === group)!.instances.find((i) => i.version === '0.9.0-noagent')!
    expect(stray.lifecycle).toBe('InService')
    const [report] = await drift(ws, {target: 'web'}, {sim})
    expect(report!.findings).toEqual([{kind: 'instanceVersion', instance: stray.id, expected: '1.0.0', actual: null, joined: false, reason: 'its SSM agent is not registered (waited 300s)'}])
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
