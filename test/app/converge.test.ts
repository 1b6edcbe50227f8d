/**
 * `release converge` (issue 10): each kind of drift caused in the simulated account, found by
 * `drift`, removed by `converge`, then `drift` in sync again.
 */
import {describe, expect, it} from 'vitest'
import {converge} from '../../src/app/converge.js'
import {drift} from '../../src/app/drift.js'
import {rollout} from '../../src/app/release.js'
import {acquireLease} from '../../src/engine/lease.js'
import {UserError} from '../../src/errors.js'
import {EXIT} from '../../src/ports/release.js'
import {SimAccount} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {openIncremental} from '../fakes/incremental.js'
import {makeProject, openProject, TRAFFIC_SOURCE} from '../fakes/workspace.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {immutableDetails} from '../../src/engine/release-details.js'

describe('release converge, incremental', () => {
  it('re-applies the live version to an instance changed by hand alone, as a release of kind converge', async () => {
    const {ws, sim} = await openIncremental({instances: 4})
    expect((await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    const instances = sim.view().groups[0]!.instances.map((i) => i.id)
    const drifted = instances[2]!
    sim.causeDrift({kind: 'instance', instanceId: drifted, version: '1.0.0'})
    expect((await drift(ws, {target: 'api'}, {sim}))[0]!.findings).toEqual([{kind: 'instanceVersion', instance: drifted, expected: '2.0.0', actual: '1.0.0', joined: false}])

    const result = await converge(ws, {target: 'api'}, {}, {sim})
    expect(result.exitCode, result.message).toBe(EXIT.succeeded)
    const ledger = await ws.ledger.read('api')
    const record = ledger.releases.at(-1)!
    expect(record).toMatchObject({kind: 'converge', version: '2.0.0', outcome: 'succeeded', options: {instances: [drifted]}})
    // Only the drifted instance went through the window.
    expect(record.details).toMatchObject({plan: {fleetSize: 1}, tally: {changed: 1, failed: 0}})
    expect(ledger.liveVersion).toBe('2.0.0')
    expect(sim.view().groups[0]!.instances.every((i) => i.version === '2.0.0')).toBe(true)
    expect((await drift(ws, {target: 'api'}, {sim}))[0]).toMatchObject({inSync: true, findings: []})
  })

  it('converges an instance launched into the fleet on an old version', async () => {
    const {ws, sim, clock} = await openIncremental({instances: 4})
    await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    sim.causeDrift({kind: 'launch', group: 'api-fleet', version: '1.0.0'})
    clock.advance(5 * 60_000)
    const [report] = await drift(ws, {target: 'api'}, {sim})
    expect(report!.findings).toHaveLength(1)
    expect(report!.findings[0]).toMatchObject({kind: 'instanceVersion', expected: '2.0.0', actual: '1.0.0', joined: true})

    const result = await converge(ws, {target: 'api'}, {}, {sim})
    expect(result.exitCode, result.message).toBe(EXIT.succeeded)
    expect((await drift(ws, {target: 'api'}, {sim}))[0]).toMatchObject({inSync: true, findings: []})
    expect(sim.view().groups[0]!.instances.filter((i) => i.lifecycle === 'InService')).toHaveLength(5)
  })

  it('does nothing on a target in sync (exit 0), refuses an unknown target (exit 2) and a locked one (exit 4)', async () => {
    const {ws, sim} = await openIncremental({instances: 2})
    await expect(converge(ws, {target: 'api'}, {}, {sim})).rejects.toMatchObject({code: 'E_NO_LIVE_VERSION', exitCode: EXIT.usage})
    await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    const inSync = await converge(ws, {target: 'api'}, {}, {sim})
    expect(inSync).toMatchObject({exitCode: EXIT.succeeded, actions: []})
    expect((await ws.ledger.read('api')).releases).toHaveLength(1)

    const unknown = converge(ws, {target: 'nope'}, {}, {sim})
    await expect(unknown).rejects.toBeInstanceOf(UserError)
    await expect(unknown).rejects.toMatchObject({exitCode: EXIT.usage})

    sim.causeDrift({kind: 'instance', instanceId: sim.view().groups[0]!.instances[0]!.id, version: '1.0.0'})
    const lease = await acquireLease(ws.store, 'api', {releaseId: 'api-9', ttlMs: 60_000, now: ws.now})
    try {
      await expect(converge(ws, {target: 'api'}, {}, {sim})).rejects.toMatchObject({code: 'E_LOCKED', exitCode: EXIT.locked})
    } finally {
      await lease.release()
    }
    expect((await ws.ledger.read('api')).releases).toHaveLength(1)
    expect(sim.view().groups[0]!.instances.filter((i) => i.version === '1.0.0')).toHaveLength(1)
  })
})

describe('drift before a rollout', () => {
  it('warn (the default): the rollout says what it found, journals it, and goes on', async () => {
    const {ws, sim} = await openIncremental({instances: 4})
    await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    const drifted = sim.view().groups[0]!.instances[1]!.id
    sim.causeDrift({kind: 'instance', instanceId: drifted, version: '1.0.0'})
    const said: string[] = []
    const result = await rollout(ws, {target: 'api', version: '3.0.0'}, {onProgress: (e) => said.push(e.message)}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    expect(said.join('\n')).toMatch(new RegExp(`api has drifted from 2.0.0[\\s\\S]*${drifted} runs 1.0.0, not 2.0.0`))
  })

  it('refuse: exit 2 with the report, nothing changed', async () => {
    const {ws, sim} = await openIncremental({instances: 4, extra: '    drift: refuse\n'})
    await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    const drifted = sim.view().groups[0]!.instances[1]!.id
    sim.causeDrift({kind: 'instance', instanceId: drifted, version: '1.0.0'})
    await expect(rollout(ws, {target: 'api', version: '3.0.0'}, {}, {sim})).rejects.toMatchObject({code: 'E_DRIFTED', exitCode: EXIT.usage, message: expect.stringContaining(drifted)})
    expect((await ws.ledger.read('api')).releases).toHaveLength(1)
    expect(sim.view().groups[0]!.instances.some((i) => i.version === '3.0.0')).toBe(false)
  })
})

describe('release converge, immutable', () => {
  it('rolls the live version out anew when the live stack was edited outside CloudFormation', async () => {
    const {ws, sim} = await openProject({capacity: 2})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    sim.causeDrift({kind: 'stack', stackName: 'release-web-1', logicalId: 'Group', property: 'MaxSize', value: '9'})
    expect((await drift(ws, {target: 'web'}, {sim}))[0]!.findings).toEqual([expect.objectContaining({kind: 'stackResource', logicalId: 'Group', expected: '2', actual: '9'})])

    const result = await converge(ws, {target: 'web'}, {}, {sim})
    expect(result.exitCode, result.message).toBe(EXIT.succeeded)
    const record = (await ws.ledger.read('web')).releases.at(-1)!
    expect(record).toMatchObject({kind: 'converge', version: '1.0.0', outcome: 'succeeded'})
    expect(immutableDetails(record)?.stackName).not.toBe('release-web-1')
    expect((await drift(ws, {target: 'web'}, {sim}))[0]).toMatchObject({inSync: true, findings: []})
  })

  it('scales a retained group back to zero and detaches it from the traffic sources', async () => {
    const {ws, sim} = await openProject({capacity: 2})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    const oldGroup = String(immutableDetails(second.record)?.oldGroup)
    sim.causeDrift({kind: 'group', group: oldGroup, desired: 2})
    await sim.handle('autoscaling', 'AttachTrafficSources', {AutoScalingGroupName: oldGroup, TrafficSources: [{Identifier: TRAFFIC_SOURCE}]})
    const kinds = (await drift(ws, {target: 'web'}, {sim}))[0]!.findings.map((f) => f.kind).sort()
    expect(kinds).toEqual(['extraServing', 'retainedScaledUp'])

    const result = await converge(ws, {target: 'web'}, {}, {sim})
    expect(result.exitCode, `${result.message} ${JSON.stringify(result.unsafe)}`).toBe(EXIT.succeeded)
    expect(sim.view().groups.find((g) => g.name === oldGroup)!.desired).toBe(0)
    expect((await drift(ws, {target: 'web'}, {sim}))[0]).toMatchObject({inSync: true, findings: []})
    // No release was needed: the ledger is as it was.
    expect((await ws.ledger.read('web')).releases).toHaveLength(2)
  })

  it('has the group replace instances on another version: changed by hand, or launched on an old version', async () => {
    const {ws, sim, clock} = await openProject({capacity: 2, extra: "    current: ['release-sim get-version']\n"})
    const first = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const group = String(immutableDetails(first.record)?.group)
    const byHand = sim.view().groups.find((g) => g.name === group)!.instances[0]!.id
    sim.causeDrift({kind: 'instance', instanceId: byHand, version: '0.9.0'})
    sim.causeDrift({kind: 'launch', group, version: '0.8.0'})
    clock.advance(5 * 60_000)
    const findings = (await drift(ws, {target: 'web'}, {sim}))[0]!.findings
    expect(findings.map((f) => (f.kind === 'instanceVersion' ? f.actual : f.kind)).sort()).toEqual(['0.8.0', '0.9.0'])

    const result = await converge(ws, {target: 'web'}, {}, {sim})
    expect(result.exitCode, result.message).toBe(EXIT.succeeded)
    const live = sim.view().groups.find((g) => g.name === group)!.instances.filter((i) => i.lifecycle === 'InService')
    expect(live.map((i) => i.version)).toEqual(['1.0.0', '1.0.0', '1.0.0'])
    expect(live.map((i) => i.id)).not.toContain(byHand)
    expect((await drift(ws, {target: 'web'}, {sim}))[0]).toMatchObject({inSync: true, findings: []})
  })

  it('reports a drifted resource that holds data with the remedy, and does not replace the stack (exit 1)', async () => {
    const dir = makeProject({capacity: 2, extra: '    allowDurableReplacement: true\n'})
    const template = join(dir, 'web.yml')
    writeFileSync(template, readFileSync(template, 'utf8').replace('Outputs:\n', '  Data:\n    Type: AWS::EC2::Volume\n    DeletionPolicy: Snapshot\n    Properties:\n      Size: 10\n      AvailabilityZone: us-east-1a\nOutputs:\n'))
    const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
    const sim = SimAccount.open({clock: new VirtualClock(), seed: 3, targetGroups: {[TRAFFIC_SOURCE]: {}}})
    expect((await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    sim.causeDrift({kind: 'stack', stackName: 'release-web-1', logicalId: 'Data', property: 'Size', value: '20'})
    const result = await converge(ws, {target: 'web'}, {}, {sim})
    expect(result.exitCode).toBe(EXIT.failed)
    expect(result.unsafe).toEqual([{finding: expect.stringContaining('Data (AWS::EC2::Volume) MODIFIED'), remedy: expect.stringMatching(/holds data.*set \/Properties\/Size back to 10/)}])
    // Nothing replaced: no release was run.
    expect((await ws.ledger.read('web')).releases).toHaveLength(1)
  })

  it('reports a group serving that release does not own, with the remedy, and leaves it (exit 1)', async () => {
    const {ws} = await openProject({capacity: 2})
    const sim = SimAccount.open({clock: new VirtualClock(), seed: 3, targetGroups: {[TRAFFIC_SOURCE]: {}}, fleets: {'someone-else': {instances: 1, version: '0.1.0'}}})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    await sim.handle('autoscaling', 'AttachTrafficSources', {AutoScalingGroupName: 'someone-else', TrafficSources: [{Identifier: TRAFFIC_SOURCE}]})
    const result = await converge(ws, {target: 'web'}, {}, {sim})
    expect(result.exitCode).toBe(EXIT.failed)
    expect(result.unsafe).toEqual([expect.objectContaining({remedy: expect.stringContaining('--adopt someone-else')})])
    expect(sim.view().groups.find((g) => g.name === 'someone-else')).toBeDefined()
  })
})
