/**
 * The parts of an incremental release below a whole rollout, each on its own: the Run Command a change
 * sends, what would notice a bad version, which instances the fleet is, the bake's watch, and the
 * cancelling of forward commands before the way back (settle). On the simulated account through the
 * real adapters where the account is involved.
 */
import {describe, expect, it} from 'vitest'
import {changeCommand, substitute} from '../../../strategies/incremental/change.js'
import {incrementalHealthSignals} from '../../../strategies/incremental/health.js'
import {describeFleet, fleetMembers} from '../../../strategies/incremental/fleet.js'
import {bake} from '../../../strategies/incremental/bake.js'
import {incrementalStepInputs} from '../../../machines/incremental-inputs.js'
import {settleForward, SETTLE_LIMIT_MS} from '../../../strategies/incremental/settle.js'
import {changeComment} from '../../../strategies/incremental/comment.js'
import type {FleetProgress} from '../../../strategies/incremental/progress.js'
import type {IncrementalContext} from '../../../machines/incremental.js'
import type {IncrementalDeps} from '../../../strategies/incremental/deps.js'
import type {TrafficSourceState} from '../../../src/ports/fleet.js'
import type {InstanceRecord} from '../../../src/ports/instance-journal.js'
import {API_SOURCE, GROUP, incrementalWorld, instanceIds, type IncrementalWorld} from './step-world.js'

const SHELL = {document: 'AWS-RunShellScript', apply: ['install {{version}}', 'restart'], verify: ['check {{version}}'], current: [], parameters: {}}

describe('changeCommand', () => {
  it('sends the apply then the verify lines with the version in place, with a shell document', () => {
    expect(changeCommand(SHELL, '2.0.0', ['i-1', 'i-2'], 'release api-3')).toEqual({
      documentName: 'AWS-RunShellScript',
      instanceIds: ['i-1', 'i-2'],
      parameters: {commands: ['install 2.0.0', 'restart', 'check 2.0.0']},
      comment: 'release api-3',
    })
    expect(changeCommand({...SHELL, document: 'AWS-RunPowerShellScript'}, '2.0.0', ['i-1'], 'c').parameters).toEqual({commands: ['install 2.0.0', 'restart', 'check 2.0.0']})
  })

  it("fills a custom document's parameters, and its version parameter when one is named", () => {
    const custom = {...SHELL, document: 'Deploy-App', parameters: {url: ['s3://b/{{version}}.zip', 'x'], mode: ['fast']}}
    expect(changeCommand(custom, '2.0.0', ['i-1'], 'c')).toEqual({
      documentName: 'Deploy-App',
      instanceIds: ['i-1'],
      parameters: {url: ['s3://b/2.0.0.zip', 'x'], mode: ['fast']},
      comment: 'c',
    })
    expect(changeCommand({...custom, versionParameter: 'version'}, '2.0.0', ['i-1'], 'c').parameters).toEqual({
      url: ['s3://b/2.0.0.zip', 'x'],
      mode: ['fast'],
      version: ['2.0.0'],
    })
  })

  it('refuses a version that is not one, before anything is sent', () => {
    expect(() => changeCommand(SHELL, '2.0.0;rm -rf /', ['i-1'], 'c')).toThrow(/^refusing to send a change: /)
    expect(() => changeCommand(SHELL, '-x', ['i-1'], 'c')).toThrow(/^refusing to send a change: /)
  })

  it('replaces every placeholder of a line, and nothing else', () => {
    expect(substitute('a {{version}} b {{version}} {{other}}', '1.2.3')).toBe('a 1.2.3 b 1.2.3 {{other}}')
  })
})

describe('incrementalHealthSignals', () => {
  const EC2 = 'EC2: status checks only see an instance that fails, not an application that does not serve'

  it('names the verify lines and the target groups that would catch a bad version', () => {
    expect(incrementalHealthSignals({document: 'AWS-RunShellScript', verify: ['a', 'b'], targetGroups: ['tg-1', 'tg-2']})).toEqual({
      signals: [
        'verify: 2 lines run on each instance as part of its change',
        'ELB: target health in 2 target groups, passed again by each instance back from Standby and watched during the bake',
        EC2,
      ],
    })
  })

  it('counts a custom document as a check of its own, whatever its verify lines', () => {
    expect(incrementalHealthSignals({document: 'Deploy-App', verify: [], targetGroups: []})).toEqual({
      signals: ['change: the document Deploy-App, whatever it checks on each instance', EC2],
    })
  })

  it('warns when only EC2 status checks are left', () => {
    const health = incrementalHealthSignals({document: 'AWS-RunShellScript', verify: [], targetGroups: []})
    expect(health.signals).toEqual([EC2])
    expect(health.warning).toBe(
      'nothing would catch a bad application version: add verify lines to change, or put the fleet behind a target group with a health check',
    )
  })
})

describe('fleetMembers', () => {
  it("lists a group's InService instances; behind a target group they go to Standby and pass its health check", async () => {
    const world = incrementalWorld({instances: 3, behindTargetGroup: true})
    const members = await fleetMembers(world.deps)
    expect(members).toEqual({group: GROUP, instanceIds: await instanceIds(world), launching: [], standby: true, targetGroups: [API_SOURCE]})
    expect(members.instanceIds).toHaveLength(3)
    expect(describeFleet(world.deps)).toBe(`group ${GROUP}`)
  })

  it('does not use Standby for a group with no traffic source, or one leaving it', async () => {
    const world = incrementalWorld({instances: 2})
    expect(await fleetMembers(world.deps)).toMatchObject({standby: false, targetGroups: []})
    const behind = incrementalWorld({instances: 2, behindTargetGroup: true})
    await behind.deps.fleet.detachTrafficSources(GROUP, [API_SOURCE])
    expect(await fleetMembers(behind.deps)).toMatchObject({standby: false, targetGroups: []})
  })

  it('names the instances still launching apart from those it changes', async () => {
    const world = incrementalWorld({instances: 2})
    const before = await instanceIds(world)
    await world.deps.fleet.setCapacity(GROUP, {min: 0, max: 3, desired: 3})
    const members = await fleetMembers(world.deps)
    expect(members.instanceIds).toEqual(before)
    const launched = (await instanceIds(world)).filter((id) => !before.includes(id))
    expect(launched).toHaveLength(1)
    expect(members.launching).toEqual(launched)
  })

  it("reads Auto Scaling's other words: a lifecycle hook's Pending:Wait, a source Removed, a source that is no target group", async () => {
    const world = incrementalWorld({instances: 2, behindTargetGroup: true})
    const ids = await instanceIds(world)
    const real = world.deps.fleet
    /** The group as Auto Scaling could show it, with these traffic sources. */
    const showing = (sources: TrafficSourceState[]): IncrementalDeps['fleet'] =>
      Object.assign(Object.create(real) as IncrementalDeps['fleet'], {
        describeGroup: async (name: string) => {
          const group = await real.describeGroup(name)
          return group && {...group, instances: [...group.instances, {id: 'i-hooked', lifecycle: 'Pending:Wait', health: 'Healthy'}]}
        },
        describeTrafficSources: () => Promise.resolve(sources),
      })
    const classic = {identifier: 'api-classic-lb', type: 'elb', state: 'InService'}
    const removed = {identifier: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/old/0a1b2c3d4e5f6a7b', type: 'elbv2', state: 'Removed'}
    const members = await fleetMembers({...world.deps, fleet: showing([{identifier: API_SOURCE, type: 'elbv2', state: 'InService'}, classic, removed])})
    expect(members).toEqual({group: GROUP, instanceIds: ids, launching: ['i-hooked'], standby: true, targetGroups: [API_SOURCE]})
    // A group whose only source was removed does not use Standby.
    expect(await fleetMembers({...world.deps, fleet: showing([removed])})).toMatchObject({standby: false, targetGroups: []})
  })

  it('finds a fleet chosen by tags through Systems Manager: no group, no Standby, nothing launching', async () => {
    const world = incrementalWorld({instances: 2}, {fleet: {tags: {Role: 'api'}}})
    const members = await fleetMembers(world.deps)
    expect({...members, instanceIds: [...members.instanceIds].sort()}).toEqual({group: null, instanceIds: (await instanceIds(world)).sort(), launching: [], standby: false, targetGroups: []})
  })

  it('refuses a group that does not exist', async () => {
    const world = incrementalWorld({}, {fleet: {group: 'nope'}})
    await expect(fleetMembers(world.deps)).rejects.toThrow('Auto Scaling group nope does not exist')
  })

  it('describes a fleet chosen by tags by its tags', () => {
    const world = incrementalWorld({}, {fleet: {tags: {Role: 'api', Env: 'prod'}}})
    expect(describeFleet(world.deps)).toBe('instances tagged Role=api, Env=prod')
  })
})

function bakeContext(world: IncrementalWorld, bakeMs: number): IncrementalContext {
  return {bakeUntil: new Date(world.clock.now() + bakeMs).toISOString(), releaseId: 'api-3'} as IncrementalContext
}

describe('bake', () => {
  it('watches a healthy fleet until the deadline, and says for how long', async () => {
    const world = incrementalWorld({instances: 2})
    const start = world.clock.now()
    const ctx = bakeContext(world, 60_000)
    await bake(world.deps)(incrementalStepInputs.bake({context: ctx}))
    expect(world.clock.now()).toBe(start + 60_000)
    expect(world.reports).toEqual([{releaseId: 'api-3', state: 'baking', message: `watching the fleet for 60s more (until ${ctx.bakeUntil})`}])
  })

  it('passes a healthy fleet behind a target group, its targets healthy to the load balancer', async () => {
    const world = incrementalWorld({instances: 2, behindTargetGroup: true, withTargets: true})
    // Registered and past their health checks before the bake begins.
    world.clock.advance(120_000)
    const start = world.clock.now()
    await bake(world.deps)(incrementalStepInputs.bake({context: bakeContext(world, 60_000)}))
    expect(world.clock.now()).toBe(start + 60_000)
  })

  it('ends at once past its deadline (a resumed bake keeps its deadline)', async () => {
    const world = incrementalWorld({instances: 2})
    const start = world.clock.now()
    await bake(world.deps)(incrementalStepInputs.bake({context: bakeContext(world, -5_000)}))
    expect(world.clock.now()).toBe(start)
    expect(world.messages()[0]).toMatch(/^watching the fleet for 0s more/)
  })

  it('sends the release back when an instance of the group turns unhealthy, naming them', async () => {
    // Every instance of 1.0.0 fails its status checks 30 s into the bake.
    const world = incrementalWorld({instances: 2, faults: {degradeVersions: [{pattern: '1.0.0', afterSeconds: 30}]}})
    const ids = await instanceIds(world)
    const start = world.clock.now()
    await expect(bake(world.deps)(incrementalStepInputs.bake({context: bakeContext(world, 600_000)}))).rejects.toThrow(
      new RegExp(`^2 instances became unhealthy during the bake \\((${ids.join('|')}), (${ids.join('|')})\\)$`),
    )
    // Found at the next look, not at the end of the bake.
    expect(world.clock.now() - start).toBeLessThan(60_000)
  })

  it("sends the release back when the load balancer's health check fails, naming the target group and the reason", async () => {
    const world = incrementalWorld({instances: 2, behindTargetGroup: true, withTargets: true, faults: {unhealthyVersions: ['1.0.0']}})
    await expect(bake(world.deps)(incrementalStepInputs.bake({context: bakeContext(world, 3_600_000)}))).rejects.toThrow(
      new RegExp(`^2 instances failed the health check of target group ${API_SOURCE.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} during the bake \\(i-\\w+: .+, i-\\w+: .+\\)$`),
    )
  })

  it('does not look at target health without the target group port, nor at a fleet chosen by tags', async () => {
    const noPort = incrementalWorld({instances: 2, behindTargetGroup: true, faults: {unhealthyVersions: ['1.0.0']}})
    await bake(noPort.deps)(incrementalStepInputs.bake({context: bakeContext(noPort, 60_000)}))
    const byTags = incrementalWorld({instances: 2, withTargets: true, faults: {degradeVersions: [{pattern: '1.0.0', afterSeconds: 0}]}}, {fleet: {tags: {Role: 'api'}}})
    // A fleet chosen by tags has no group: the bake asks Auto Scaling nothing.
    const noGroup = new Proxy({} as IncrementalDeps['fleet'], {
      get: (_, call) => () => Promise.reject(new Error(`a fleet chosen by tags asked Auto Scaling: ${String(call)}`)),
    })
    await bake({...byTags.deps, fleet: noGroup})(incrementalStepInputs.bake({context: bakeContext(byTags, 60_000)}))
  })
})

const forward = (instanceId: string, phase: InstanceRecord['phase'], commandId?: string): [string, InstanceRecord] => [
  instanceId,
  {instanceId, pass: 'forward', phase, at: 0, ...(commandId ? {commandId} : {})},
]

describe('settleForward', () => {
  /** A fleet with a slow change in flight on every instance: the command id and the instances. */
  async function inFlight() {
    // Every change takes ten minutes: still running when the way back begins.
    const slow = incrementalWorld({instances: 3, timings: {commandMs: [600_000, 600_000]}})
    const ids = await instanceIds(slow)
    const [commandId] = await slow.deps.commands.send({documentName: 'AWS-RunShellScript', instanceIds: ids, parameters: {commands: ['release-sim set-version 2.0.0']}, comment: 'forward'})
    slow.clock.advance(10_000)
    return {world: slow, ids, commandId: commandId!}
  }

  it('cancels the forward commands still running and waits for them to end before the way back', async () => {
    const {world, ids, commandId} = await inFlight()
    const progress: FleetProgress = {planned: [], forward: new Map(ids.map((id) => forward(id, 'changing', commandId))), restore: new Map()}
    const start = world.clock.now()
    expect(await settleForward(world.deps, progress, {releaseId: 'api-3', version: '2.0.0'})).toEqual([])
    const after = await world.deps.commands.invocations([commandId])
    expect(after.map((i) => i.status).sort()).toEqual(['Cancelled', 'Cancelled', 'Cancelled'])
    expect(world.reports).toEqual([{releaseId: 'api-3', state: 'rollingBack', message: 'cancelling the change still running on 3 instances before putting them back'}])
    // Well within the limit: the cancel ended them, the limit did not.
    expect(world.clock.now() - start).toBeLessThan(SETTLE_LIMIT_MS)
  })

  it('leaves alone what is not a forward change in flight: no command yet, already restored, other phases', async () => {
    const {world, ids, commandId} = await inFlight()
    const [a, b, c] = ids as [string, string, string]
    const progress: FleetProgress = {
      planned: [],
      forward: new Map([forward(a, 'changing'), forward(b, 'changing', commandId), forward(c, 'done', commandId)]),
      restore: new Map([[b, {instanceId: b, pass: 'restore', phase: 'done', at: 0}]]),
    }
    expect(await settleForward(world.deps, progress, {releaseId: 'api-3', version: '2.0.0'})).toEqual([])
    expect(world.messages()).toEqual([])
    const statuses = (await world.deps.commands.invocations([commandId])).map((i) => i.status)
    expect(statuses).not.toContain('Cancelled')
  })

  it('cancels the change a dead process sent before the journal named its command, found by its comment', async () => {
    const world = incrementalWorld({instances: 4, timings: {commandMs: [600_000, 600_000]}})
    const [a, b, c, d] = (await instanceIds(world)) as [string, string, string, string]
    // The dead process sent a and b their change (b still on record as entering Standby); c was only
    // written ahead, never sent; d got a command of another release, which is not this one's to cancel.
    const comment = changeComment('api-3', 'forward', '2.0.0')
    const send = (ids: string[], note: string) => world.deps.commands.send({documentName: 'AWS-RunShellScript', instanceIds: ids, parameters: {commands: ['release-sim set-version 2.0.0']}, comment: note})
    const [ours] = await send([a, b], comment)
    const [theirs] = await send([d], changeComment('api-2', 'forward', '2.0.0'))
    world.clock.advance(10_000)
    const progress: FleetProgress = {planned: [], forward: new Map([forward(a, 'changing'), forward(b, 'enteringStandby'), forward(c, 'changing'), forward(d, 'changing')]), restore: new Map()}
    expect(await settleForward(world.deps, progress, {releaseId: 'api-3', version: '2.0.0'})).toEqual([])
    expect((await world.deps.commands.invocations([ours!])).map((i) => i.status)).toEqual(['Cancelled', 'Cancelled'])
    expect((await world.deps.commands.invocations([theirs!])).map((i) => i.status)).not.toContain('Cancelled')
    expect(world.messages()).toEqual(['cancelling the change still running on 2 instances before putting them back'])
  })

  it('puts them back anyway after the limit when a cancel never ends them, naming them', async () => {
    const {world, ids, commandId} = await inFlight()
    // Systems Manager takes the cancel but the agents never act on it: the change runs on.
    const deps = {...world.deps, commands: Object.assign(Object.create(world.deps.commands) as IncrementalDeps['commands'], {cancel: () => Promise.resolve()})}
    const [a, b] = ids as [string, string, string]
    const progress: FleetProgress = {planned: [], forward: new Map([forward(a, 'changing', commandId), forward(b, 'changing', commandId)]), restore: new Map()}
    const start = world.clock.now()
    expect((await settleForward(deps, progress, {releaseId: 'api-3', version: '2.0.0'})).sort()).toEqual([a, b].sort())
    // It waited the limit, and no poll longer.
    expect(world.clock.now() - start).toBe(SETTLE_LIMIT_MS)
    const still = world.reports.at(-1)
    expect(still?.state).toBe('rollingBack')
    expect(still?.message).toMatch(new RegExp(`^the cancelled change had not ended within 120s on (${a}|${b}), (${a}|${b}); putting them back anyway$`))
  })

  it('cancels only the instances the release changes with each command', async () => {
    const {world, ids, commandId} = await inFlight()
    const [a, b] = ids as [string, string, string]
    const progress: FleetProgress = {planned: [], forward: new Map([forward(a, 'changing', commandId), forward(b, 'changing', commandId)]), restore: new Map()}
    await settleForward(world.deps, progress, {releaseId: 'api-3', version: '2.0.0'})
    const byInstance = Object.fromEntries((await world.deps.commands.invocations([commandId])).map((i) => [i.instanceId, i.status]))
    expect(byInstance[a]).toBe('Cancelled')
    expect(byInstance[b]).toBe('Cancelled')
    expect(byInstance[ids[2]!]).not.toBe('Cancelled')
    expect(world.messages()).toEqual(['cancelling the change still running on 2 instances before putting them back'])
  })
})
