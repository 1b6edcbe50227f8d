/**
 * The way back of an incremental release (strategies/incremental/restore.ts `restore`), on its own:
 * which instances it puts back and on what, through how wide a window, what it leaves for a human and
 * why, what it publishes, and the instances the group terminated or launched meanwhile. Each test
 * writes the journal a release would have left (the plan, then each instance's forward phase) and sets
 * the fleet to match by hand; the account is the simulated one, through the real adapters.
 */
import {describe, expect, it} from 'vitest'
import {versionsById, watchingOutOfService} from '../../fakes/incremental.js'
import type {FleetPlan} from '../../../machines/incremental.js'
import type {RestoreInput} from '../../../machines/incremental-inputs.js'
import type {InstancePhase, InstanceRecord} from '../../../src/ports/instance-journal.js'
import type {IncrementalDeps} from '../../../strategies/incremental/deps.js'
import {restore, versionToRestore} from '../../../strategies/incremental/restore.js'
import {GROUP, incrementalWorld, install, instanceIds, instanceJournal, type IncrementalWorld} from './step-world.js'

const PLAN: FleetPlan = {fleetSize: 4, window: 2, maxErrors: 0, canary: 1}
const INPUT: RestoreInput = {releaseId: 'api-3', version: '2.0.0', previousVersion: '1.0.0', only: null, plan: PLAN}

const planned = (instanceId: string, order: number, previousVersion: string | null): InstanceRecord => ({instanceId, pass: 'forward', phase: 'planned', order, previousVersion, at: 0})
const forward = (instanceId: string, phase: InstancePhase, extra: Partial<InstanceRecord> = {}): InstanceRecord => ({instanceId, pass: 'forward', phase, at: 1, ...extra})

/** The journal a release left: every instance planned with its version (`previous`), then `records`. */
async function journalOf(world: IncrementalWorld, previous: Record<string, string | null>, records: InstanceRecord[] = []) {
  const journal = instanceJournal(world)
  await journal.append([...Object.entries(previous).map(([id, version], order) => planned(id, order, version)), ...records])
  return journal
}

/** The instances each command since `after` was sent to (hand-made ones included). */
async function sentTo(world: IncrementalWorld, after: number): Promise<string[]> {
  return (await world.deps.commands.sentWith('', after)).flatMap((c) => c.instanceIds)
}

describe('the way back of an incremental release', () => {
  it('puts every instance the release touched back on the version it ran, leaves the others, and publishes the version back', async () => {
    const world = incrementalWorld({instances: 4})
    const [a, b, c, d] = (await instanceIds(world)) as [string, string, string, string]
    // a and b were changed, d failed on the way; c was never reached (a person changed it since).
    for (const id of [a, b, d]) await install(world, id, '2.0.0')
    await install(world, c, '1.9.0')
    const journal = await journalOf(world, {[a]: '1.0.0', [b]: '1.1.0', [c]: '1.0.0', [d]: '1.0.0'}, [forward(a, 'done'), forward(b, 'done'), forward(d, 'failed')])
    const start = world.clock.now()
    let result: Awaited<ReturnType<ReturnType<typeof restore>>> | undefined
    const worst = (await watchingOutOfService(world.account, async () => {
      result = await restore(world.deps, journal)(INPUT)
    })).worst
    expect(result).toEqual({restored: 3, stranded: []})
    expect(versionsById(world.account)).toEqual({[a]: '1.0.0', [b]: '1.1.0', [c]: '1.9.0', [d]: '1.0.0'})
    expect((await sentTo(world, start)).sort()).toEqual([a, b, d].sort())
    // Through the plan's window.
    expect(worst).toBe(2)
    expect((await world.deps.parameters.get('/release/api/version'))?.value).toBe('1.0.0')
    // Journaled as the restore pass, which a resumed way back goes on from.
    const restored = (await journal.load()).filter((r) => r.pass === 'restore' && r.phase === 'done').map((r) => r.instanceId)
    expect(restored.sort()).toEqual([a, b, d].sort())
    expect(new Set(world.reports.map((r) => `${r.releaseId} ${r.state}`))).toEqual(new Set(['api-3 rollingBack']))
    expect(world.messages().filter((m) => m.includes('terminated by their group'))).toEqual([])
  })

  it('goes one instance at a time when planning never finished', async () => {
    const world = incrementalWorld({instances: 3})
    const ids = await instanceIds(world)
    for (const id of ids) await install(world, id, '2.0.0')
    const journal = await journalOf(world, Object.fromEntries(ids.map((id) => [id, '1.0.0'])), ids.map((id) => forward(id, 'done')))
    const worst = (await watchingOutOfService(world.account, () => restore(world.deps, journal)({...INPUT, plan: null}))).worst
    expect(worst).toBe(1)
    expect(Object.values(versionsById(world.account))).toEqual(['1.0.0', '1.0.0', '1.0.0'])
  })

  it('cancels a forward change still running before it restores', async () => {
    const world = incrementalWorld({instances: 2, timings: {commandMs: [600_000, 600_000]}})
    const [a, b] = (await instanceIds(world)) as [string, string]
    const [commandId] = await world.deps.commands.send({documentName: 'AWS-RunShellScript', instanceIds: [a], parameters: {commands: ['release-sim set-version 2.0.0']}, comment: 'forward'})
    world.clock.advance(10_000)
    const journal = await journalOf(world, {[a]: '1.0.0', [b]: '1.0.0'}, [forward(a, 'changing', {commandId})])
    await restore(world.deps, journal)(INPUT)
    // The forward change was stopped, not left to end; long after it would have, a is on what it ran.
    expect((await world.deps.commands.invocations([commandId!])).map((i) => i.status)).toEqual(['Cancelled'])
    world.clock.advance(3_600_000)
    expect(versionsById(world.account)).toEqual({[a]: '1.0.0', [b]: '1.0.0'})
    expect(world.messages()).toContain('cancelling the change still running on 1 instances before putting them back')
  })

  it('leaves an instance with no version to go back to for a human, with what it may run and why', async () => {
    const world = incrementalWorld({instances: 2})
    const [a, b] = (await instanceIds(world)) as [string, string]
    await install(world, a, '2.0.0')
    const journal = await journalOf(world, {[a]: null, [b]: null}, [forward(a, 'failed')])
    expect(await restore(world.deps, journal)({...INPUT, previousVersion: null})).toEqual({
      restored: 0,
      stranded: [{instanceId: a, version: '2.0.0', reason: 'previous version unknown, and there is no last known good version to put back; restore it by hand'}],
    })
    // Nothing to publish: the desired version stays what the release set.
    expect(await world.deps.parameters.get('/release/api/version')).toBeUndefined()
  })

  it('names what it could not put back, with the reason, and still publishes the version the rest runs', async () => {
    // The version to go back to no longer passes its check: the way back fails on that instance.
    const world = incrementalWorld({instances: 2, faults: {unhealthyVersions: ['1.1.0']}})
    const [a, b] = (await instanceIds(world)) as [string, string]
    for (const id of [a, b]) await install(world, id, '2.0.0')
    const journal = await journalOf(world, {[a]: '1.1.0', [b]: '1.0.0'}, [forward(a, 'done'), forward(b, 'done')])
    const result = await restore(world.deps, journal)(INPUT)
    expect(result.restored).toBe(1)
    // Its reason is the window's (the way back's own words for the failure, window.ts).
    expect(result.stranded).toEqual([{instanceId: a, version: null, reason: expect.any(String) as string}])
    expect((await world.deps.parameters.get('/release/api/version'))?.value).toBe('1.0.0')
  })

  it('returns an instance the change never reached to service, sending it nothing', async () => {
    const world = incrementalWorld({instances: 2, behindTargetGroup: true})
    const [a, b] = (await instanceIds(world)) as [string, string]
    await world.deps.fleet.enterStandby(GROUP, [a])
    world.clock.advance(60_000)
    const journal = await journalOf(world, {[a]: null, [b]: '1.0.0'}, [forward(a, 'failed', {undelivered: true})])
    const start = world.clock.now()
    expect(await restore(world.deps, journal)({...INPUT, previousVersion: null})).toEqual({restored: 1, stranded: []})
    expect(await sentTo(world, start)).toEqual([])
    expect(world.account.view().groups[0]!.instances.map((i) => i.lifecycle)).toEqual(['InService', 'InService'])
  })

  it('skips the instances the group terminated, says so, and puts the restored version on those it launched', async () => {
    const world = incrementalWorld({instances: 3, timings: {instanceBootMs: [10_000, 10_000], agentRegistrationMs: [5_000, 5_000]}})
    const [a, b, c] = (await instanceIds(world)) as [string, string, string]
    for (const id of [a, b]) await install(world, id, '2.0.0')
    // c was terminated during the release (found gone by the window); the group launched one in its place.
    await world.deps.fleet.replaceInstance(c)
    world.clock.advance(120_000)
    const launched = (await instanceIds(world)).find((id) => ![a, b, c].includes(id))!
    const journal = await journalOf(world, {[a]: '0.9.0', [b]: '0.9.0', [c]: '0.9.0'}, [forward(a, 'done'), forward(b, 'done'), forward(c, 'gone')])
    const result = await restore(world.deps, journal)({...INPUT, previousVersion: '0.9.0'})
    expect(result).toEqual({restored: 3, stranded: [], replaced: {gone: [c], launched: [launched]}})
    expect(versionsById(world.account)).toEqual({[a]: '0.9.0', [b]: '0.9.0', [launched]: '0.9.0'})
    expect(world.reports.at(-1)).toEqual({
      releaseId: 'api-3',
      state: 'rollingBack',
      message: `1 instances were terminated by their group during the release, nothing to restore on them: ${c}`,
    })
  })

  it('for a first release, restores launched instances to the one version the plan found, or leaves them for a human', async () => {
    // The plan found one version (an instance whose version was unknown does not count), or two.
    for (const found of [['1.0.0', '1.0.0'], ['1.0.0', null], ['1.0.0', '1.1.0']]) {
      const world = incrementalWorld({instances: 2, timings: {instanceBootMs: [10_000, 10_000], agentRegistrationMs: [5_000, 5_000]}})
      const [a, b] = (await instanceIds(world)) as [string, string]
      await world.deps.parameters.put('/release/api/version', '2.0.0')
      await world.deps.fleet.setCapacity(GROUP, {min: 0, max: 3, desired: 3})
      world.clock.advance(120_000)
      const launched = (await instanceIds(world)).find((id) => ![a, b].includes(id))!
      await install(world, launched, '2.0.0')
      const journal = await journalOf(world, {[a]: found[0] ?? null, [b]: found[1] ?? null})
      const result = await restore(world.deps, journal)({...INPUT, previousVersion: null})
      if (found[1] !== '1.1.0') {
        expect(result).toEqual({restored: 1, stranded: [], replaced: {gone: [], launched: [launched]}})
        expect(versionsById(world.account)[launched]).toBe('1.0.0')
        expect((await world.deps.parameters.get('/release/api/version'))?.value).toBe('1.0.0')
      } else {
        expect(result.stranded).toEqual([{instanceId: launched, version: null, reason: 'launched by its group during the release; no last known good version to put on it'}])
        expect((await world.deps.parameters.get('/release/api/version'))?.value).toBe('2.0.0')
      }
    }
  })

  it('leaves a launched instance whose agent never registers for a human, saying why', async () => {
    // Instances of 1.0.0 never register with Systems Manager; nothing else was touched.
    const world = incrementalWorld({instances: 1, faults: {unregisteredVersions: ['1.0.0']}}, {timeouts: {standbyMs: 600_000, applyMs: 600_000, verifyMs: 60_000, healthMs: 600_000}})
    const [a] = (await instanceIds(world)) as [string]
    await world.deps.fleet.setCapacity(GROUP, {min: 0, max: 2, desired: 2})
    world.clock.advance(120_000)
    const launched = (await instanceIds(world)).find((id) => id !== a)!
    const journal = await journalOf(world, {[a]: '1.0.0'})
    const result = await restore(world.deps, journal)(INPUT)
    expect(result.stranded).toEqual([{instanceId: launched, version: null, reason: expect.stringMatching(/^launched by its group during the release; the SSM agent of 1 of 1 instances never registered within 60s/) as string}])
    expect(world.reports[0]).toEqual({releaseId: 'api-3', state: 'rollingBack', message: 'waiting for the SSM agent of 1 instances to register'})
  })

  it('leaves alone an instance still launching when the way back begins', async () => {
    const world = incrementalWorld({instances: 2, timings: {instanceBootMs: [60_000, 60_000], agentRegistrationMs: [5_000, 5_000]}})
    const [a, b] = (await instanceIds(world)) as [string, string]
    await install(world, a, '2.0.0')
    await world.deps.fleet.setCapacity(GROUP, {min: 0, max: 3, desired: 3})
    const journal = await journalOf(world, {[a]: '1.0.0', [b]: '1.0.0'}, [forward(a, 'done')])
    expect(await restore(world.deps, journal)(INPUT)).toEqual({restored: 1, stranded: []})
  })

  it('names every instance the group terminated, none launched in their place', async () => {
    const world = incrementalWorld({instances: 3})
    const ids = await instanceIds(world)
    for (const id of ids) await install(world, id, '2.0.0')
    // The group scaled in to one instance during the release.
    await world.deps.fleet.setCapacity(GROUP, {min: 0, max: 3, desired: 1})
    world.clock.advance(120_000)
    const [left] = (await instanceIds(world)) as [string]
    const gone = ids.filter((id) => id !== left)
    const journal = await journalOf(world, Object.fromEntries(ids.map((id) => [id, '1.0.0'])), ids.map((id) => forward(id, id === left ? 'done' : 'gone')))
    expect(await restore(world.deps, journal)(INPUT)).toEqual({restored: 1, stranded: [], replaced: {gone, launched: []}})
    expect(versionsById(world.account)).toEqual({[left]: '1.0.0'})
    expect(world.messages().at(-1)).toBe(`2 instances were terminated by their group during the release, nothing to restore on them: ${gone.join(', ')}`)
  })

  it('leaves the rest of the fleet to itself in a converge', async () => {
    const world = incrementalWorld({instances: 2, timings: {instanceBootMs: [10_000, 10_000], agentRegistrationMs: [5_000, 5_000]}})
    const [a] = (await instanceIds(world)) as [string]
    await install(world, a, '2.0.0')
    await world.deps.fleet.setCapacity(GROUP, {min: 0, max: 3, desired: 3})
    world.clock.advance(120_000)
    const journal = await journalOf(world, {[a]: '1.0.0'}, [forward(a, 'done')])
    const start = world.clock.now()
    expect(await restore(world.deps, journal)({...INPUT, only: [a]})).toEqual({restored: 1, stranded: []})
    expect(await sentTo(world, start)).toEqual([a])
  })

  it('asks Auto Scaling nothing for a fleet chosen by tags', async () => {
    const world = incrementalWorld({instances: 2}, {fleet: {tags: {Role: 'api'}}})
    const [a, b] = (await instanceIds(world)) as [string, string]
    await install(world, a, '2.0.0')
    const journal = await journalOf(world, {[a]: '1.0.0', [b]: '1.0.0'}, [forward(a, 'done')])
    const noGroup = new Proxy({} as IncrementalDeps['fleet'], {
      get: (_, call) => () => Promise.reject(new Error(`a fleet chosen by tags asked Auto Scaling: ${String(call)}`)),
    })
    expect(await restore({...world.deps, fleet: noGroup}, journal)(INPUT)).toEqual({restored: 1, stranded: []})
    expect(versionsById(world.account)[a]).toBe('1.0.0')
  })
})

describe('versionToRestore', () => {
  it('takes the version the instance ran, checked again', () => {
    expect(versionToRestore({previousVersion: '1.2.0'}, '1.0.0')).toEqual({version: '1.2.0'})
  })

  it('falls back to the last known good version when the one it ran is unknown or not a version', () => {
    expect(versionToRestore({previousVersion: null}, '1.0.0')).toEqual({version: '1.0.0'})
    expect(versionToRestore({previousVersion: '1.2;rm'}, '1.0.0')).toEqual({version: '1.0.0'})
  })

  it('says why when there is nothing valid to go back to', () => {
    const byHand = ', and there is no last known good version to put back; restore it by hand'
    expect(versionToRestore({previousVersion: null}, null)).toEqual({reason: `previous version unknown${byHand}`})
    expect(versionToRestore({previousVersion: '1.2;rm'}, null)).toEqual({reason: `previous version unknown: version "1.2;rm" contains ';' at position 4, which is not allowed${byHand}`})
    expect(versionToRestore({previousVersion: null, unknownReason: 'its current command printed "$"'}, '-rf')).toEqual({reason: `its current command printed "$"${byHand}`})
  })
})
