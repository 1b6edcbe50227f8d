/**
 * The planning step of an incremental release (strategies/incremental/plan.ts `plan`), on its own: the
 * plan it writes to the journal (every instance and the version it runs, what a rollback puts back),
 * the desired version it publishes, and the fleets it refuses before anything changes.
 */
import {describe, expect, it} from 'vitest'
import {initialIncrementalContext, type IncrementalContext} from '../../../machines/incremental.js'
import type {JournalInstanceLog} from '../../../src/engine/instance-journal.js'
import type {InstanceRecord} from '../../../src/ports/instance-journal.js'
import {incrementalStepInputs} from '../../../machines/incremental-inputs.js'
import {plan} from '../../../strategies/incremental/plan.js'
import type {IncrementalDeps} from '../../../strategies/incremental/deps.js'
import {incrementalWorld, install, instanceJournal, instanceIds} from './step-world.js'

function context(fields: Partial<IncrementalContext> = {}): IncrementalContext {
  return {
    ...initialIncrementalContext({
    releaseId: 'api-3',
    target: 'api',
    version: '2.0.0',
    kind: 'rollout',
    previousVersion: '1.0.0',
    gates: [],
    }),
    ...fields,
  }
}

const run = (deps: IncrementalDeps, log: JournalInstanceLog, ctx: IncrementalContext) => plan(deps, log)(incrementalStepInputs.plan({context: ctx}))
const plannedOf = (records: InstanceRecord[]) =>
  records.filter((r) => r.phase === 'planned').map((r) => ({id: r.instanceId, order: r.order, previous: r.previousVersion, reason: r.reason}))

describe('planning an incremental release', () => {
  it('records every instance with the live version, publishes the desired version, and sizes the window', async () => {
    const world = incrementalWorld({instances: 5}, {maxUnavailable: {percent: 40}, maxErrors: {percent: 20}, canary: 2})
    const log = instanceJournal(world)
    const output = await run(world.deps, log, context())
    expect(output).toEqual({fleetSize: 5, window: 2, maxErrors: 1, canary: 2})
    const ids = await instanceIds(world)
    expect(plannedOf(await log.load())).toEqual(ids.map((id, order) => ({id, order, previous: '1.0.0', reason: undefined})))
    expect((await world.deps.parameters.get('/release/api/version'))?.value).toBe('2.0.0')
    // The signals in one line; no warning (the verify line would catch a bad version), no unknown version.
    expect(world.messages()).toEqual([
      'health signals: verify: 1 lines run on each instance as part of its change; EC2: status checks only see an instance that fails, not an application that does not serve',
      '5 instances of group api-fleet; window 2, canary 2, maxErrors 1; /release/api/version = 2.0.0 (v1)',
    ])
  })

  it("reports every line as the release's planning, the wait for late agents too", async () => {
    const world = incrementalWorld(
      {instances: 1, timings: {instanceBootMs: [10_000, 10_000], agentRegistrationMs: [20_000, 20_000]}},
      {change: {document: 'AWS-RunShellScript', apply: ['release-sim set-version {{version}}'], verify: [], current: ['cat /etc/app-version'], parameters: {}}},
    )
    // A second instance just launched: InService, its agent not registered yet.
    await world.deps.fleet.setCapacity('api-fleet', {min: 0, max: 2, desired: 2})
    world.clock.advance(15_000)
    await run(world.deps, instanceJournal(world), context())
    const messages = world.messages()
    // The wait, the signals, the warning, the two unknown versions, the summary.
    expect(messages[0]).toBe('waiting for the SSM agent of 1 instances to register')
    expect(messages.filter((m) => m.startsWith('warning: ') || m.includes(': previous version unknown'))).toHaveLength(3)
    expect(messages.at(-1)).toMatch(/^2 instances of group api-fleet; /)
    expect(world.reports.map((r) => `${r.releaseId} ${r.state}`)).toEqual(messages.map(() => 'api-3 planning'))
  })

  it('keeps the plan it already wrote when resumed, and publishes again', async () => {
    const world = incrementalWorld({instances: 3})
    const log = instanceJournal(world)
    await run(world.deps, log, context())
    const first = await log.load()
    // The fleet changed since (one more instance): the resumed plan is still the one written.
    await world.deps.fleet.setCapacity('api-fleet', {min: 0, max: 4, desired: 4})
    world.clock.advance(600_000)
    const again = await run(world.deps, log, context())
    expect(again.fleetSize).toBe(3)
    expect(await log.load()).toEqual(first)
    expect(world.messages().at(-1)).toMatch(/; \/release\/api\/version = 2\.0\.0 \(v2\)$/)
  })

  it('plans a converge over the drifted instances alone', async () => {
    const world = incrementalWorld({instances: 4})
    const [, b, , d] = await instanceIds(world)
    const log = instanceJournal(world)
    const output = await run(world.deps, log, context({kind: 'converge', only: [d!, b!]}))
    expect(output.fleetSize).toBe(2)
    expect(plannedOf(await log.load()).map((p) => p.id)).toEqual([b, d])
  })

  it('refuses a fleet with no instance in service, and a window of none, before publishing anything', async () => {
    const empty = incrementalWorld({instances: 2})
    await expect(run(empty.deps, instanceJournal(empty), context({only: ['i-none']}))).rejects.toThrow('the fleet (group api-fleet) has no instances in service')
    const none = incrementalWorld({instances: 2}, {maxUnavailable: {count: 0}})
    await expect(run(none.deps, instanceJournal(none), context())).rejects.toThrow('maxUnavailable resolves to 0 instances of 2: nothing could change')
    expect(await none.deps.parameters.get('/release/api/version')).toBeUndefined()
  })

  it("reads each instance's version with the current command", async () => {
    const world = incrementalWorld({instances: 2}, {change: {document: 'AWS-RunShellScript', apply: ['release-sim set-version {{version}}'], verify: [], current: ['release-sim get-version'], parameters: {}}})
    const [a, b] = (await instanceIds(world)) as [string, string]
    // One instance runs 1.5.0 (changed by hand); the other prints something that is not a version.
    await install(world, a, '1.5.0')
    const log = instanceJournal(world)
    await run(world.deps, log, context({previousVersion: null}))
    const planned = plannedOf(await log.load())
    expect(planned.find((p) => p.id === a)).toMatchObject({previous: '1.5.0', reason: undefined})
    expect(planned.find((p) => p.id === b)).toMatchObject({previous: '1.0.0'})
  })

  it('keeps why a version is unknown when the current command prints no version, and says what it will be restored to', async () => {
    const current = {document: 'AWS-RunShellScript', apply: ['release-sim set-version {{version}}'], verify: [], current: ['cat /etc/app-version'], parameters: {}}
    const world = incrementalWorld({instances: 2}, {change: current})
    const log = instanceJournal(world)
    await run(world.deps, log, context({previousVersion: '1.0.0'}))
    const reason = 'previous version unknown: its current command printed "$", not a version'
    const ids = await instanceIds(world)
    expect(plannedOf(await log.load())).toEqual(ids.map((id, order) => ({id, order, previous: '1.0.0', reason})))
    for (const id of ids) expect(world.messages()).toContain(`${id}: ${reason}; it will be restored to the last known good version 1.0.0`)

    const first = incrementalWorld({instances: 1}, {change: current})
    const firstLog = instanceJournal(first)
    await run(first.deps, firstLog, context({previousVersion: null}))
    expect(plannedOf(await firstLog.load())[0]).toMatchObject({previous: null, reason})
    expect(first.messages()).toContain(`${(await instanceIds(first))[0]}: ${reason}; no last known good version to restore it to`)
  })

  it('warns in planning when nothing would catch a bad version', async () => {
    const world = incrementalWorld({instances: 1}, {change: {document: 'AWS-RunShellScript', apply: ['release-sim set-version {{version}}'], verify: [], current: [], parameters: {}}})
    await run(world.deps, instanceJournal(world), context())
    expect(world.messages().slice(0, 2)).toEqual([
      'health signals: EC2: status checks only see an instance that fails, not an application that does not serve',
      'warning: nothing would catch a bad application version: add verify lines to change, or put the fleet behind a target group with a health check',
    ])
  })
})
