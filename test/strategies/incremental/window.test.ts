/**
 * The sliding window (strategies/incremental/window.ts `runWindow`) on its own, one pass over a small
 * fleet of the simulated account through the real adapters: what each instance ends as, what the pass
 * journals, what it reports, and why it stops. The steps (roll, restore) are tested in their files.
 */
import {describe, expect, it} from 'vitest'
import {versionsById, watchingOutOfService} from '../../fakes/incremental.js'
import type {InstanceRecord} from '../../../src/ports/instance-journal.js'
import {pollPlanSettings, runWindow, WindowStopped, type WindowJob} from '../../../strategies/incremental/window.js'
import {API_SOURCE, GROUP, incrementalWorld, instanceIds, type IncrementalWorld} from './step-world.js'

/** A change that fails on every instance (an unknown release-sim subcommand), leaving it as it was. */
const FAILING = {document: 'AWS-RunShellScript', apply: ['release-sim explode'], verify: [], current: [], parameters: {}}
/** What the simulated instances print when FAILING (or any `release-sim explode`) runs: the error the reason ends with. */
const EXPLODE = 'release-sim: unknown command: release-sim explode (known: set-version <v>, check, get-version)'
/** A change with nothing on the instance to check it: only the load balancer can tell a bad version. */
const UNCHECKED = {document: 'AWS-RunShellScript', apply: ['release-sim set-version {{version}}'], verify: [], current: [], parameters: {}}

/** A fleet behind API_SOURCE, with the load balancer's port: instances go to Standby while they change. */
const behindLoadBalancer = {behindTargetGroup: true, withTargets: true, faults: {unhealthyVersions: ['*-bad']}}
const throughStandby: Partial<WindowJob> = {standby: true, targetGroups: [API_SOURCE]}

/** A forward pass to 2.0.0 over every instance of the world's group; `journal` collects what it appends. */
async function passOver(world: IncrementalWorld, job: Partial<WindowJob> = {}) {
  const ids = await instanceIds(world)
  const journal: InstanceRecord[] = []
  const full: WindowJob = {
    releaseId: 'api-3',
    pass: 'forward',
    state: 'rolling',
    instances: ids.map((instanceId) => ({instanceId, version: '2.0.0'})),
    window: 1,
    maxErrors: 0,
    failuresBefore: 0,
    retries: 0,
    group: GROUP,
    standby: false,
    targetGroups: [],
    records: new Map(),
    alsoOut: 0,
    append: async (records) => void journal.push(...records),
    ...job,
  }
  return {ids, journal, job: full, run: () => runWindow(world.deps, full)}
}

/** What the pass threw: its WindowStopped, or the test fails. */
async function stopped(run: () => Promise<unknown>): Promise<WindowStopped> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof WindowStopped)) throw new Error(`expected the pass to stop, got ${String(error)}`)
  return error
}

/** The instances the pass journaled a command id for. */
function sentTo(journal: InstanceRecord[]): string[] {
  return [...new Set(journal.filter((r) => r.commandId !== undefined).map((r) => r.instanceId))]
}

/** Each instance's phases in the order the pass journaled them. */
function phasesOf(journal: InstanceRecord[]): Record<string, string[]> {
  const phases: Record<string, string[]> = {}
  for (const r of journal) (phases[r.instanceId] ??= []).push(r.phase)
  return phases
}

describe('the sliding window', () => {
  it('changes every instance of a group without Standby, one at a time, and journals each from changing to done', async () => {
    const world = incrementalWorld({instances: 3})
    const {ids, journal, run} = await passOver(world)
    const {result, worst} = await watchingOutOfService(world.account, run)
    expect(result).toEqual({changed: ids, failed: [], gone: []})
    expect(worst).toBeLessThanOrEqual(1)
    expect(versionsById(world.account)).toEqual(Object.fromEntries(ids.map((id) => [id, '2.0.0'])))
    expect(phasesOf(journal)).toEqual(Object.fromEntries(ids.map((id) => [id, ['changing', 'changing', 'returning', 'done']])))
  })

  it('stops at the first failure over maxErrors, naming the instance and what its change printed, and takes back the rest', async () => {
    // The team's tool prints a line, then the change fails on an unknown release-sim subcommand.
    const world = incrementalWorld({instances: 3}, {change: {document: 'AWS-RunShellScript', apply: ['deploy-tool --prepare', 'release-sim explode'], verify: [], current: [], parameters: {}}})
    const {ids, journal, run} = await passOver(world)
    const [first, ...rest] = ids as [string, ...string[]]
    const error = await stopped(run)
    // Its output ends with the error (SSM appends standard error), read only for a command that failed.
    const printed = `Failed: $ deploy-tool --prepare ${EXPLODE}`
    expect(error.message).toBe(`1 instances failed, more than maxErrors (0): ${first} (${printed})`)
    expect(error.result).toEqual({changed: [], failed: [{instanceId: first, reason: printed}], gone: []})
    expect(versionsById(world.account)).toEqual(Object.fromEntries(ids.map((id) => [id, '1.0.0'])))
    // The others were never started: whatever was written ahead of them is taken back.
    for (const id of rest) expect(journal.filter((r) => r.instanceId === id).at(-1)?.phase ?? 'planned').toBe('planned')
    expect(world.reports.at(-1)).toEqual({releaseId: 'api-3', state: 'rolling', message: '0/3 changed, 0 in the window, 2 waiting, 1 failed', instances: {total: 3, ready: 0, unhealthy: 1}})
  })

  it('names the first ten failed instances and counts the others', async () => {
    const world = incrementalWorld({instances: 12}, {change: FAILING})
    // Eleven tolerated: the pass stops when the twelfth fails, and names them all.
    const {ids, run} = await passOver(world, {window: 12, maxErrors: 11})
    const error = await stopped(run)
    expect(error.result.failed.map((f) => f.instanceId)).toEqual(ids)
    // Failed alike: named together, the reason once.
    expect(error.message).toBe(`12 instances failed, more than maxErrors (11): ${ids.slice(0, 10).join(', ')} (Failed: ${EXPLODE}) and 2 more`)

    // Ten are all named, with no count after them.
    const ten = incrementalWorld({instances: 10}, {change: FAILING})
    const pass = await passOver(ten, {window: 10, maxErrors: 9})
    expect((await stopped(pass.run)).message).toBe(`10 instances failed, more than maxErrors (9): ${pass.ids.join(', ')} (Failed: ${EXPLODE})`)
  })

  it('tolerates failures up to maxErrors, counting those before it, and reports them', async () => {
    const world = incrementalWorld({instances: 3}, {change: FAILING})
    // Three tolerated in all, one of them already counted (the canary's): two here are allowed, not three.
    const {ids, run} = await passOver(world, {window: 3, maxErrors: 3, failuresBefore: 1})
    const error = await stopped(run)
    expect(error.message).toMatch(/^4 instances failed, more than maxErrors \(3\): /)
    expect(error.result.failed.map((f) => f.instanceId)).toEqual(ids)
    const tolerant = incrementalWorld({instances: 3}, {change: FAILING})
    const all = await passOver(tolerant, {window: 3, maxErrors: 3})
    const result = await all.run()
    expect(result.failed.map((f) => f.instanceId)).toEqual(all.ids)
    expect(tolerant.reports.at(-1)?.message).toBe('0/3 changed, 0 in the window, 0 waiting, 3 failed')
  })

  it('stops when every place of the window is held by a failed instance it tolerated', async () => {
    const world = incrementalWorld({instances: 3}, {change: FAILING})
    const {ids, run} = await passOver(world, {maxErrors: 2})
    const error = await stopped(run)
    expect(error.message).toBe('every place in the window (1) is held by a failed instance')
    expect(error.result).toEqual({changed: [], failed: [{instanceId: ids[0], reason: `Failed: ${EXPLODE}`}], gone: []})
  })

  it('takes each instance through Standby, and counts it done once the load balancer finds it healthy', async () => {
    const world = incrementalWorld({instances: 3, ...behindLoadBalancer})
    const {ids, journal, run} = await passOver(world, {window: 2, ...throughStandby})
    const {result, worst} = await watchingOutOfService(world.account, run)
    expect(result).toEqual({changed: ids, failed: [], gone: []})
    expect(worst).toBe(2)
    expect(versionsById(world.account)).toEqual(Object.fromEntries(ids.map((id) => [id, '2.0.0'])))
    expect(world.account.view().groups[0]?.instances.map((i) => i.lifecycle)).toEqual(['InService', 'InService', 'InService'])
    // Written ahead of its send (`ahead`) before it enters Standby, then each phase in turn.
    const phases = phasesOf(journal.filter((r) => r.ahead !== true))
    for (const id of ids) expect(phases[id]?.filter((phase, i, all) => phase !== all[i - 1])).toEqual(['enteringStandby', 'changing', 'returning', 'done'])
    expect(world.reports.at(-1)).toEqual({releaseId: 'api-3', state: 'rolling', message: '3/3 changed, 0 in the window, 0 waiting', instances: {total: 3, ready: 3, unhealthy: 0}})
  })

  it('stops when the load balancer finds a changed instance unhealthy, naming the target group and its reason', async () => {
    const world = incrementalWorld({instances: 2, ...behindLoadBalancer}, {change: UNCHECKED})
    const {ids, run} = await passOver(world, {...throughStandby, instances: (await instanceIds(world)).map((instanceId) => ({instanceId, version: '2.0.0-bad'}))})
    const [first] = ids as [string]
    const error = await stopped(run)
    expect(error.message).toBe(`instance ${first} is unhealthy in target group api (Target.ResponseCodeMismatch) after its change to 2.0.0-bad`)
    expect(error.result).toEqual({changed: [], failed: [{instanceId: first, reason: 'unhealthy in target group api (Target.ResponseCodeMismatch) after the change'}], gone: []})
  })

  it('on the way back, fails an unhealthy instance and goes on with the others', async () => {
    const world = incrementalWorld({instances: 2, ...behindLoadBalancer}, {change: UNCHECKED})
    const ids = await instanceIds(world)
    const [bad, good] = ids as [string, string]
    const {run} = await passOver(world, {...throughStandby, pass: 'restore', state: 'rollingBack', window: 2, maxErrors: Number.POSITIVE_INFINITY, instances: [{instanceId: bad, version: '1.0.0-bad'}, {instanceId: good, version: '1.0.0'}]})
    expect(await run()).toEqual({changed: [good], failed: [{instanceId: bad, reason: 'unhealthy in target group api (Target.ResponseCodeMismatch) after the change'}], gone: []})
    expect(world.reports.at(-1)?.message).toBe('1/2 restored, 0 in the window, 0 waiting, 1 failed')
    // The way back's commands say so.
    expect((await world.deps.commands.sentWith('release api-3 back to 1.0.0', 0)).flatMap((c) => c.instanceIds)).toEqual([good])
  })

  it('fails an instance the load balancer has not passed within the health timeout, saying where it stands', async () => {
    // The load balancer passes a target after five checks 30 s apart: longer than the 60 s allowed.
    const world = incrementalWorld({instances: 1, ...behindLoadBalancer}, {timeouts: {standbyMs: 600_000, applyMs: 600_000, verifyMs: 600_000, healthMs: 60_000}})
    const {ids, run} = await passOver(world, throughStandby)
    const error = await stopped(run)
    expect(error.result.failed).toEqual([{instanceId: ids[0], reason: 'not healthy in every target group (api: initial) within 60s'}])
  })

  it('fails an instance that did not reach Standby in time, or whose change did not end in time', async () => {
    const slowStandby = incrementalWorld({instances: 1, ...behindLoadBalancer, timings: {standbyMs: [120_000, 120_000]}}, {timeouts: {standbyMs: 60_000, applyMs: 600_000, verifyMs: 600_000, healthMs: 600_000}})
    const standby = await passOver(slowStandby, throughStandby)
    expect((await stopped(standby.run)).result.failed).toEqual([{instanceId: standby.ids[0], reason: 'did not reach Standby within 60s'}])

    // A change of five minutes, where apply and verify allow two together.
    const slowChange = incrementalWorld({instances: 1, timings: {commandMs: [300_000, 300_000]}}, {timeouts: {standbyMs: 600_000, applyMs: 60_000, verifyMs: 60_000, healthMs: 600_000}})
    const change = await passOver(slowChange)
    expect((await stopped(change.run)).result.failed).toEqual([{instanceId: change.ids[0], reason: 'the change did not finish in time'}])
  })

  it('sends a failed change again up to `retries` times: an instance whose change fails once still ends changed', async () => {
    // Half the invocations fail before they change anything (a fresh draw each time).
    const world = incrementalWorld({instances: 4, faults: {commandFailureRate: 0.5}})
    const {ids, run} = await passOver(world, {retries: 3})
    expect(await run()).toEqual({changed: ids, failed: [], gone: []})
    expect(versionsById(world.account)).toEqual(Object.fromEntries(ids.map((id) => [id, '2.0.0'])))
    const sends = (await world.deps.commands.sentWith('release api-3 to 2.0.0', 0)).flatMap((c) => c.instanceIds)
    expect(sends.length).toBeGreaterThan(ids.length)
  })

  it('fails only the instances of a send that failed, with the error, and stops', async () => {
    const world = incrementalWorld({instances: 3})
    const refusing = {...world.deps, commands: Object.assign(Object.create(world.deps.commands) as typeof world.deps.commands, {send: () => Promise.reject(new Error('AccessDenied: not allowed'))})}
    const ids = await instanceIds(world)
    const journal: InstanceRecord[] = []
    const {job} = await passOver(world, {append: async (records) => void journal.push(...records)})
    const error = await stopped(() => runWindow(refusing, job))
    expect(error.message).toBe('SendCommand failed after 0 of 1 calls: AccessDenied: not allowed')
    expect(error.result).toEqual({changed: [], failed: [{instanceId: ids[0], reason: 'SendCommand failed after 0 of 1 calls: AccessDenied: not allowed'}], gone: []})
    expect(versionsById(world.account)).toEqual(Object.fromEntries(ids.map((id) => [id, '1.0.0'])))
  })

  it('never starts an instance the group terminated, and stops waiting for one it terminated after its change', async () => {
    const world = incrementalWorld({instances: 4, ...behindLoadBalancer})
    const [a, b, c, d] = (await instanceIds(world)) as [string, string, string, string]
    await world.deps.fleet.replaceInstance(c)
    // b is terminated as it leaves Standby, changed.
    const fleet = world.deps.fleet
    const terminating = Object.assign(Object.create(fleet) as typeof fleet, {
      exitStandby: async (...args: Parameters<typeof fleet.exitStandby>) => {
        await fleet.exitStandby(...args)
        if (args[1].includes(b)) await fleet.replaceInstance(b)
      },
    })
    // c first in the queue, d still queued when b goes: c never started, d changed all the same.
    const {journal, job} = await passOver(world, {...throughStandby, instances: [c, a, b, d].map((instanceId) => ({instanceId, version: '2.0.0'}))})
    const result = await runWindow({...world.deps, fleet: terminating}, job)
    expect(result).toEqual({changed: [a, d], failed: [], gone: [c, b]})
    expect(journal.filter((r) => r.phase === 'gone').map((r) => [r.instanceId, r.reason])).toEqual([
      [c, 'terminated by its Auto Scaling group during the release'],
      [b, 'terminated by its Auto Scaling group during the release after its change'],
    ])
    expect(sentTo(journal)).not.toContain(c)
  })

  it('goes on when the group terminates an instance between its read of the group and EnterStandby: the others enter, that one is gone', async () => {
    const world = incrementalWorld({instances: 4, ...behindLoadBalancer})
    const [a, b, c, d] = (await instanceIds(world)) as [string, string, string, string]
    const fleet = world.deps.fleet
    // d leaves the group just before the call that would put it in Standby, after the read the window passes.
    const racing = Object.assign(Object.create(fleet) as typeof fleet, {
      enterStandby: async (...args: Parameters<typeof fleet.enterStandby>) => {
        if (args[1].includes(d)) await fleet.replaceInstance(d)
        await fleet.enterStandby(...args)
      },
    })
    const {journal, job} = await passOver(world, {...throughStandby, window: 2})
    expect(await runWindow({...world.deps, fleet: racing}, job)).toEqual({changed: [a, b, c], failed: [], gone: [d]})
    expect(journal.filter((r) => r.phase === 'gone').map((r) => [r.instanceId, r.reason])).toEqual([[d, 'terminated by its Auto Scaling group during the release']])
    expect(sentTo(journal)).not.toContain(d)
  })

  it('returns an instance that is only to be returned to service without sending it anything', async () => {
    for (const standby of [true, false]) {
      const world = incrementalWorld({instances: 2, ...behindLoadBalancer})
      const [only, changed] = (await instanceIds(world)) as [string, string]
      const instances = [{instanceId: only, version: '2.0.0', returnOnly: true}, {instanceId: changed, version: '2.0.0'}]
      const {journal, run} = await passOver(world, {...throughStandby, standby, instances})
      expect(await run()).toEqual({changed: [only, changed], failed: [], gone: []})
      expect(versionsById(world.account)).toEqual({[only]: '1.0.0', [changed]: '2.0.0'})
      expect(sentTo(journal)).toEqual([changed])
      // Nothing sent to it, nothing written ahead of a send.
      expect(journal.filter((r) => r.instanceId === only && r.phase === 'changing')).toEqual([])
      expect(world.account.view().groups[0]?.instances.map((i) => i.lifecycle)).toEqual(['InService', 'InService'])
    }
  })

  it('counts an instance done once InService and healthy when there is no load balancer to ask', async () => {
    const world = incrementalWorld({instances: 2, behindTargetGroup: true})
    const {ids, run} = await passOver(world, throughStandby)
    expect(await run()).toEqual({changed: ids, failed: [], gone: []})
  })

  it('keeps the places of instances out of service in other scopes', async () => {
    const world = incrementalWorld({instances: 3, ...behindLoadBalancer})
    const {ids, run} = await passOver(world, {...throughStandby, window: 2, alsoOut: 1})
    const {result, worst} = await watchingOutOfService(world.account, run)
    expect(result.changed).toEqual(ids)
    expect(worst).toBe(1)
  })

  it('with the fixed policy, starts the next batch only when the whole window is done', async () => {
    // Changes of very different lengths: a sliding window would start the third before the second ends.
    const world = incrementalWorld({instances: 4, timings: {commandMs: [10_000, 300_000]}}, {windowPolicy: 'fixed'})
    const {ids, journal, run} = await passOver(world, {window: 2})
    expect((await run()).changed).toEqual(ids)
    const at = (id: string | undefined, phase: string) => journal.filter((r) => r.instanceId === id && r.phase === phase && r.ahead !== true).map((r) => r.at)
    const firstBatchDone = Math.max(...ids.slice(0, 2).flatMap((id) => at(id, 'done')))
    const secondBatchStart = Math.min(...ids.slice(2).flatMap((id) => at(id, 'changing')))
    expect(secondBatchStart).toBeGreaterThanOrEqual(firstBatchDone)
  })

  it('reports how many are changed, in the window, waiting and failed as the pass goes', async () => {
    const world = incrementalWorld({instances: 3})
    const {run} = await passOver(world)
    await run()
    expect(world.messages()[0]).toBe('0/3 changed, 1 in the window, 2 waiting')
    expect(world.messages()).toContain('1/3 changed, 1 in the window, 1 waiting')
    expect(world.messages().at(-1)).toBe('3/3 changed, 0 in the window, 0 waiting')
  })

  it('resumes where the journal says: done ones left alone, a write-ahead whose send never came sent, a sent change re-attached', async () => {
    const world = incrementalWorld({instances: 4})
    const [done, ahead, sent, planned] = (await instanceIds(world)) as [string, string, string, string]
    const at = world.clock.now()
    // The process that died had sent `sent` its change (the journal defers the record of its command id).
    await world.deps.commands.send({documentName: 'AWS-RunShellScript', instanceIds: [sent], parameters: {commands: ['release-sim set-version 2.0.0']}, comment: 'release api-3 to 2.0.0'})
    const records = new Map<string, InstanceRecord>([
      [done, {instanceId: done, pass: 'forward', phase: 'done', at}],
      [ahead, {instanceId: ahead, pass: 'forward', phase: 'changing', at, ahead: true}],
      [sent, {instanceId: sent, pass: 'forward', phase: 'changing', at}],
    ])
    const {run} = await passOver(world, {records, window: 2})
    expect(await run()).toEqual({changed: [done, ahead, sent, planned], failed: [], gone: []})
    expect(versionsById(world.account)).toEqual({[done]: '1.0.0', [ahead]: '2.0.0', [sent]: '2.0.0', [planned]: '2.0.0'})
    // Each sent once in all: `sent` by the process before, the others by this one; `done` by none.
    expect((await world.deps.commands.sentWith('release api-3 to 2.0.0', 0)).flatMap((c) => c.instanceIds).sort()).toEqual([ahead, sent, planned].sort())
  })

  it('re-attaches to a change the journal knows the command of, and to one sent on the way into Standby', async () => {
    const world = incrementalWorld({instances: 2, ...behindLoadBalancer})
    const [known, entering] = (await instanceIds(world)) as [string, string]
    await world.deps.fleet.enterStandby(GROUP, [known, entering])
    world.clock.advance(60_000)
    const at = world.clock.now()
    const [commandId] = await world.deps.commands.send({documentName: 'AWS-RunShellScript', instanceIds: [known, entering], parameters: {commands: ['release-sim set-version 2.0.0']}, comment: 'release api-3 to 2.0.0'})
    const records = new Map<string, InstanceRecord>([
      [known, {instanceId: known, pass: 'forward', phase: 'changing', at, commandId}],
      [entering, {instanceId: entering, pass: 'forward', phase: 'enteringStandby', at}],
    ])
    const {run} = await passOver(world, {...throughStandby, records, window: 2})
    expect(await run()).toEqual({changed: [known, entering], failed: [], gone: []})
    expect((await world.deps.commands.sentWith('release api-3 to 2.0.0', 0)).flatMap((c) => c.instanceIds)).toEqual([known, entering])
    expect(world.account.view().groups[0]?.instances.map((i) => i.lifecycle)).toEqual(['InService', 'InService'])
  })

  it('sends an instance whose agent registers late once it is listed, and fails one whose agent never does', async () => {
    const world = incrementalWorld({instances: 1, faults: {unregisteredVersions: ['0.9.0']}, timings: {agentRegistrationMs: [90_000, 90_000], instanceBootMs: [1_000, 1_000]}}, {timeouts: {standbyMs: 600_000, applyMs: 600_000, verifyMs: 300_000, healthMs: 600_000}})
    const [seeded] = (await instanceIds(world)) as [string]
    // Two instances launched just now: one registers after 90 s, one runs a version that never registers.
    await world.deps.fleet.setCapacity(GROUP, {min: 0, max: 2, desired: 2})
    world.clock.advance(5_000)
    const late = (await instanceIds(world)).find((id) => id !== seeded)!
    const {journal, run} = await passOver(world, {instances: [{instanceId: late, version: '2.0.0'}], maxErrors: 1})
    expect(await run()).toEqual({changed: [late], failed: [], gone: []})
    expect(versionsById(world.account)[late]).toBe('2.0.0')
    expect(journal.filter((r) => r.phase === 'failed')).toEqual([])

    // Instances of 1.0.0 never register: one launched now fails once the verify timeout is over, never reached.
    const never = incrementalWorld({instances: 1, faults: {unregisteredVersions: ['1.0.0']}}, {timeouts: {standbyMs: 600_000, applyMs: 600_000, verifyMs: 60_000, healthMs: 600_000}})
    const [first] = (await instanceIds(never)) as [string]
    await never.deps.fleet.setCapacity(GROUP, {min: 0, max: 2, desired: 2})
    never.clock.advance(120_000)
    const launched = (await instanceIds(never)).find((id) => id !== first)!
    const pass = await passOver(never, {instances: [{instanceId: launched, version: '2.0.0'}]})
    const error = await stopped(pass.run)
    const reason = `the SSM agent of 1 of 1 instances never registered within 60s (${launched}); usually the launch template gives no instance profile with AmazonSSMManagedInstanceCore, or the instances have no route to the SSM endpoints (no NAT gateway or VPC endpoints)`
    expect(error.result).toEqual({changed: [], failed: [{instanceId: launched, reason}], gone: []})
    expect(pass.journal.filter((r) => r.phase === 'failed')).toEqual([{instanceId: launched, pass: 'forward', phase: 'failed', at: expect.any(Number) as number, reason, undelivered: true}])
  })

  it('fails an instance the change could not be delivered to, saying it was not changed, unless it was sent the change before', async () => {
    const world = incrementalWorld({instances: 1, faults: {undeliverableInstances: 1}})
    const {ids, journal, run} = await passOver(world)
    const reason = 'Undeliverable: Systems Manager could not deliver the change, so the instance was not changed'
    expect((await stopped(run)).result.failed).toEqual([{instanceId: ids[0], reason}])
    expect(journal.filter((r) => r.phase === 'failed').map((r) => r.undelivered)).toEqual([true])

    // Its second attempt: the first may have reached it, so it is not known to be unchanged.
    const again = incrementalWorld({instances: 1, faults: {undeliverableInstances: 1}})
    const retried = await passOver(again, {retries: 1})
    expect((await stopped(retried.run)).result.failed).toEqual([{instanceId: retried.ids[0], reason: 'Undeliverable'}])
    expect(retried.journal.filter((r) => r.phase === 'failed').map((r) => r.undelivered)).toEqual([undefined])
  })
})

describe("the window's look planner settings", () => {
  const settings = incrementalWorld().deps.settings
  it('takes the poll interval as the prior and the shortest gap, the default gap, the window and the check', () => {
    expect(pollPlanSettings({...settings, pollIntervalMs: 5_000}, 40, 150_000)).toEqual({pollIntervalMs: 5_000, gapMs: 32_000, window: 40, healthMs: 150_000})
  })

  it('takes the gap the benchmarks set instead', () => {
    expect(pollPlanSettings({...settings, pollIntervalMs: 5_000, poll: {gapMs: 7}}, 1, 0)).toMatchObject({gapMs: 7})
  })
})
