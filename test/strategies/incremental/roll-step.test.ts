/**
 * The rolling step of an incremental release (strategies/incremental/roll.ts `roll`), on its own: which
 * instances the canary and the rest change, through how wide a window, what the tally and the bake
 * deadline say after, and what happens to the failures maxErrors tolerates. The plan comes from the
 * planning step; the account is the simulated one, through the real adapters.
 */
import {describe, expect, it} from 'vitest'
import {versionsById, watchingOutOfService} from '../../fakes/incremental.js'
import type {FleetPlan, Tally} from '../../../machines/incremental.js'
import type {IncrementalRef, RollStepInput} from '../../../machines/incremental-inputs.js'
import type {JournalInstanceLog} from '../../../src/engine/instance-journal.js'
import type {ChangeSettings} from '../../../strategies/incremental/deps.js'
import {plan} from '../../../strategies/incremental/plan.js'
import {foldJournal} from '../../../strategies/incremental/progress.js'
import {roll} from '../../../strategies/incremental/roll.js'
import {GROUP, incrementalWorld, instanceJournal, type IncrementalWorld} from './step-world.js'

const REF: IncrementalRef = {releaseId: 'api-3', version: '2.0.0', previousVersion: '1.0.0', only: null}

/** Reads each instance's version in planning (the simulated account prints it alone). */
const READ_CURRENT: ChangeSettings = {document: 'AWS-RunShellScript', apply: ['release-sim set-version {{version}}'], verify: ['release-sim check'], current: ['release-sim get-version'], parameters: {}}

/** A planned release: the plan step has run, its plan is in the journal. */
async function planned(world: IncrementalWorld, ref: Partial<IncrementalRef> = {}) {
  const journal = instanceJournal(world)
  const fleetPlan = await plan(world.deps, journal)({...REF, ...ref})
  const order = foldJournal(await journal.load()).planned.map((p) => p.instanceId)
  return {journal, fleetPlan, order}
}

function rollInput(fleetPlan: FleetPlan, scope: RollStepInput['scope'], tally: Tally, ref: Partial<IncrementalRef> = {}): RollStepInput {
  return {...REF, ...ref, scope, plan: fleetPlan, tally}
}

const step = (world: IncrementalWorld, journal: JournalInstanceLog, input: RollStepInput) => roll(world.deps, journal)(input)

describe('rolling an incremental release', () => {
  it('changes the canary alone, one at a time, then the rest through the whole window; the tally adds up', async () => {
    const world = incrementalWorld({instances: 5, behindTargetGroup: true}, {maxUnavailable: {count: 3}, canary: 1})
    const {journal, fleetPlan, order} = await planned(world)
    const [canary, ...rest] = order as [string, ...string[]]
    expect(fleetPlan).toMatchObject({window: 3, canary: 1})

    let canaryOutput: Awaited<ReturnType<typeof step>> | undefined
    const canaryOut = (await watchingOutOfService(world.account, async () => {
      canaryOutput = await step(world, journal, rollInput(fleetPlan, 'canary', {changed: 0, failed: 0}))
    })).worst
    expect(canaryOut).toBe(1)
    expect(versionsById(world.account)).toEqual(Object.fromEntries(order.map((id) => [id, id === canary ? '2.0.0' : '1.0.0'])))
    expect(canaryOutput).toEqual({tally: {changed: 1, failed: 0}, bakeUntil: new Date(world.clock.now() + 60_000).toISOString()})
    const canaryReports = world.reports.length
    expect(new Set(world.reports.slice(2).map((r) => `${r.releaseId} ${r.state}`))).toEqual(new Set(['api-3 canary']))

    let restOutput: Awaited<ReturnType<typeof step>> | undefined
    const restOut = (await watchingOutOfService(world.account, async () => {
      restOutput = await step(world, journal, rollInput(fleetPlan, 'rest', {changed: 1, failed: 0}))
    })).worst
    expect(restOut).toBe(3)
    expect(versionsById(world.account)).toEqual(Object.fromEntries([canary, ...rest].map((id) => [id, '2.0.0'])))
    expect(restOutput).toEqual({tally: {changed: 5, failed: 0}, bakeUntil: new Date(world.clock.now() + 60_000).toISOString()})
    expect(new Set(world.reports.slice(canaryReports).map((r) => `${r.releaseId} ${r.state}`))).toEqual(new Set(['api-3 rolling']))
    // No failure: nothing to put back.
    expect(world.messages().filter((m) => m.includes('back on their previous version'))).toEqual([])
  })

  it('keeps the canary within the window when the canary is the wider of the two', async () => {
    const world = incrementalWorld({instances: 3}, {maxUnavailable: {count: 1}, canary: 2})
    const {journal, fleetPlan, order} = await planned(world)
    const worst = (await watchingOutOfService(world.account, () => step(world, journal, rollInput(fleetPlan, 'canary', {changed: 0, failed: 0})))).worst
    expect(worst).toBe(1)
    expect(Object.values(versionsById(world.account)).filter((v) => v === '2.0.0')).toHaveLength(2)
    expect(versionsById(world.account)[order[2]!]).toBe('1.0.0')
  })

  it('keeps the whole window when it resumes the rest with one of its own changes in flight', async () => {
    const world = incrementalWorld({instances: 4, timings: {commandMs: [60_000, 60_000]}}, {maxUnavailable: {count: 2}})
    const {journal, fleetPlan, order} = await planned(world)
    const canary = await step(world, journal, rollInput(fleetPlan, 'canary', {changed: 0, failed: 0}))
    // The process stopped after sending the rest's first change: the journal says so, the change runs on.
    const first = order[1]!
    const [commandId] = await world.deps.commands.send({documentName: 'AWS-RunShellScript', instanceIds: [first], parameters: {commands: ['release-sim set-version 2.0.0', 'release-sim check']}, comment: 'release api-3: change to 2.0.0'})
    await journal.append([{instanceId: first, pass: 'forward', phase: 'changing', commandId, at: world.clock.now()}])
    const worst = (await watchingOutOfService(world.account, () => step(world, journal, rollInput(fleetPlan, 'rest', canary.tally)))).worst
    expect(worst).toBe(2)
    expect(Object.values(versionsById(world.account))).toEqual(['2.0.0', '2.0.0', '2.0.0', '2.0.0'])
  })

  it("counts the canary's failure against the rest: its place in the window, and maxErrors", async () => {
    // Seed 4: the canary's change fails (three in ten do), none of the rest's.
    const world = incrementalWorld({seed: 4, instances: 5, behindTargetGroup: true, faults: {commandFailureRate: 0.3}}, {maxUnavailable: {count: 2}, maxErrors: {count: 3}})
    const {journal, fleetPlan, order} = await planned(world)
    const [canary] = order as [string]
    const canaryTally = (await step(world, journal, rollInput(fleetPlan, 'canary', {changed: 0, failed: 0}))).tally
    expect(canaryTally).toEqual({changed: 0, failed: 1})
    // Tolerated, it waits in Standby for the end of the fleet: the rest has one place left in the window.
    const lifecycle = () => world.account.view().groups[0]!.instances.find((i) => i.id === canary)?.lifecycle
    expect(lifecycle()).toBe('Standby')
    const worst = (await watchingOutOfService(world.account, () => step(world, journal, rollInput(fleetPlan, 'rest', canaryTally)))).worst
    expect(worst).toBe(2)
    expect(lifecycle()).toBe('InService')
    expect(versionsById(world.account)).toEqual(Object.fromEntries(order.map((id) => [id, id === canary ? '1.0.0' : '2.0.0'])))

    // Seed 11: the canary fails and so does one of the rest; maxErrors 1 allows the one, not both.
    const strict = incrementalWorld({seed: 11, instances: 5, behindTargetGroup: true, faults: {commandFailureRate: 0.3}}, {maxUnavailable: {count: 3}, maxErrors: {count: 1}})
    const second = await planned(strict)
    const strictTally = (await step(strict, second.journal, rollInput(second.fleetPlan, 'canary', {changed: 0, failed: 0}))).tally
    expect(strictTally).toEqual({changed: 0, failed: 1})
    await expect(step(strict, second.journal, rollInput(second.fleetPlan, 'rest', strictTally))).rejects.toThrow(Error)
    expect([...foldJournal(await second.journal.load()).forward.values()].filter((r) => r.phase === 'failed')).toHaveLength(2)
  })

  it('puts the failures it tolerated back on the version each ran, and counts them', async () => {
    // Three in ten changes fail on the simulated account (a fixed draw per instance: here one of the rest).
    const world = incrementalWorld({instances: 4, faults: {commandFailureRate: 0.3}}, {change: READ_CURRENT, maxUnavailable: {count: 2}, maxErrors: {count: 2}})
    // The live version is older than what the instances run: each goes back to what planning read on it.
    const {journal, fleetPlan, order} = await planned(world, {previousVersion: '0.9.0'})
    const canary = await step(world, journal, rollInput(fleetPlan, 'canary', {changed: 0, failed: 0}, {previousVersion: '0.9.0'}))
    expect(canary.tally).toEqual({changed: 1, failed: 0})
    const canaryReports = world.reports.length
    const rest = await step(world, journal, rollInput(fleetPlan, 'rest', canary.tally, {previousVersion: '0.9.0'}))
    expect(rest.tally).toEqual({changed: 3, failed: 1})
    // Putting the failures back is part of rolling.
    expect(new Set(world.reports.slice(canaryReports).map((r) => r.state))).toEqual(new Set(['rolling']))
    const failed = [...foldJournal(await journal.load()).forward].filter(([, r]) => r.phase === 'failed').map(([id]) => id)
    expect(failed).toHaveLength(1)
    expect(versionsById(world.account)).toEqual(Object.fromEntries(order.map((id) => [id, failed.includes(id) ? '1.0.0' : '2.0.0'])))
    expect(world.reports.at(-1)).toEqual({releaseId: 'api-3', state: 'rolling', message: '1 failed instances back on their previous version'})
  })

  it('stops, naming it and why, when a failure it tolerated has no version to go back to', async () => {
    // Every instance runs something that is not a version, and there is no live version (a first release).
    const world = incrementalWorld({instances: 4, version: 'build~7', faults: {commandFailureRate: 0.3}}, {change: READ_CURRENT, maxUnavailable: {count: 2}, maxErrors: {count: 2}})
    const {journal, fleetPlan} = await planned(world, {previousVersion: null})
    const canary = await step(world, journal, rollInput(fleetPlan, 'canary', {changed: 0, failed: 0}, {previousVersion: null}))
    await expect(step(world, journal, rollInput(fleetPlan, 'rest', canary.tally, {previousVersion: null}))).rejects.toThrow(
      /^no known previous version to put back on i-\w+ \(previous version unknown: its current command printed "build~7", not a version, and there is no last known good version to put back; restore it by hand\)$/,
    )
  })

  it('returns a tolerated instance that never received the change to service, sending it nothing', async () => {
    // A quarter of the instances cannot be reached by Run Command (a fixed draw per instance).
    const world = incrementalWorld({instances: 4, behindTargetGroup: true, faults: {undeliverableInstances: 0.25}}, {maxUnavailable: {count: 2}, maxErrors: {count: 2}})
    const {journal, fleetPlan, order} = await planned(world)
    const canary = await step(world, journal, rollInput(fleetPlan, 'canary', {changed: 0, failed: 0}))
    const rest = await step(world, journal, rollInput(fleetPlan, 'rest', canary.tally))
    expect(rest.tally.failed).toBe(1)
    const undelivered = [...foldJournal(await journal.load()).forward].filter(([, r]) => r.undelivered === true).map(([id]) => id)
    expect(undelivered).toHaveLength(1)
    expect(versionsById(world.account)).toEqual(Object.fromEntries(order.map((id) => [id, undelivered.includes(id) ? '1.0.0' : '2.0.0'])))
    expect(world.account.view().groups[0]!.instances.map((i) => i.lifecycle)).toEqual(['InService', 'InService', 'InService', 'InService'])
  })

  it('says which instances the group launched during the release, except in a converge', async () => {
    for (const only of [null, 'converge'] as const) {
      const world = incrementalWorld({instances: 2})
      const {journal, fleetPlan, order} = await planned(world)
      const ref = only ? {only: order} : {}
      await world.deps.fleet.setCapacity(GROUP, {min: 0, max: 3, desired: 3})
      world.clock.advance(120_000)
      const launched = Object.keys(versionsById(world.account)).find((id) => !order.includes(id))
      const canary = await step(world, journal, rollInput(fleetPlan, 'canary', {changed: 0, failed: 0}, ref))
      // Said once, at the end of the fleet.
      expect(world.messages().filter((m) => m.includes('launched by the group'))).toEqual([])
      await step(world, journal, rollInput(fleetPlan, 'rest', canary.tally, ref))
      const said = world.reports.filter((r) => r.message.includes('launched by the group'))
      if (only) expect(said).toEqual([])
      else {
        expect(said).toEqual([
          {
            releaseId: 'api-3',
            state: 'rolling',
            message: `1 instances were launched by the group during the release (${launched}): this release did not change them; they run what the launch template boots`,
          },
        ])
      }
    }
  })
})
