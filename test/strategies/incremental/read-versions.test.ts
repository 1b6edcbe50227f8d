/**
 * Reading what each instance runs (strategies/incremental/plan.ts `currentVersions`, which planning
 * and `release drift` share), on its own: what is believed of an instance's output and what is not,
 * how long the read waits and how often it looks. On the simulated account through the real adapters.
 */
import {describe, expect, it} from 'vitest'
import type {CommandPort, InvocationResult} from '../../../src/ports/commands.js'
import type {ChangeSettings, IncrementalDeps} from '../../../strategies/incremental/deps.js'
import {currentVersions} from '../../../strategies/incremental/plan.js'
import {GROUP, incrementalWorld, install, instanceIds, type StepWorldOptions} from './step-world.js'

const reading = (current: string[]): Partial<{change: ChangeSettings}> => ({
  change: {document: 'AWS-RunShellScript', apply: ['release-sim set-version {{version}}'], verify: [], current, parameters: {}},
})

/**
 * A world whose instances print their version with `current`. The default adds a line of the team's own
 * (it prints `$ true` after the version): the simulated account runs a command of get-version lines
 * alone in a few seconds, one with other lines for as long as its `commandMs` says.
 */
function world(options: StepWorldOptions = {}, current = ['release-sim get-version', 'true']) {
  return incrementalWorld({instances: 2, ...options}, reading(current))
}

/** The deps with their command port's invocation listings passed through `listing`, and a count of them. */
function listedThrough(deps: IncrementalDeps, listing: (results: InvocationResult[]) => InvocationResult[]) {
  const real = deps.commands
  const seen = {listings: 0}
  const commands: CommandPort = {
    send: (input) => real.send(input),
    invocations: async (ids, options) => {
      seen.listings++
      return listing(await real.invocations(ids, options))
    },
    summaries: (ids, after) => real.summaries(ids, after),
    sentWith: (comment, after) => real.sentWith(comment, after),
    cancel: (id, ids) => real.cancel(id, ids),
    describeDocument: (name) => real.describeDocument(name),
    instancesByTags: (tags) => real.instancesByTags(tags),
    managedInstances: (ids) => real.managedInstances(ids),
  }
  return {deps: {...deps, commands}, seen}
}

describe('reading the versions the instances run', () => {
  it('takes the live version for every instance when the target has no current command, sending nothing', async () => {
    const w = world({}, [])
    const ids = await instanceIds(w)
    const {deps, seen} = listedThrough(w.deps, (results) => results)
    expect(await currentVersions(deps, ids, '1.4.0')).toEqual(new Map(ids.map((id) => [id, {version: '1.4.0'}])))
    expect(seen.listings).toBe(0)
  })

  it('believes a version printed by a command that succeeded, not one printed before it failed', async () => {
    const w = world({}, ['release-sim get-version', 'release-sim no-such-subcommand'])
    const ids = await instanceIds(w)
    // Each instance printed 1.0.0, then the command failed: the live version stands.
    expect(await currentVersions(w.deps, ids, '0.9.0')).toEqual(new Map(ids.map((id) => [id, {version: '0.9.0'}])))
  })

  it('reads the first word of the output, after blank lines and spaces', async () => {
    const w = world()
    const ids = await instanceIds(w)
    const {deps} = listedThrough(w.deps, (results) => results.map((r) => ({...r, output: `\r\n  ${r.output ?? ''}`})))
    expect(await currentVersions(deps, ids, null)).toEqual(new Map(ids.map((id) => [id, {version: '1.0.0'}])))
  })

  it('waits until every instance is listed: SSM lists some invocations late', async () => {
    // Each invocation shows up between 0 and 60 s after the send, and ends a second after it starts.
    const w = world({instances: 4, timings: {invocationVisibleMs: [0, 60_000], commandMs: [1_000, 1_000]}})
    const ids = await instanceIds(w)
    for (const id of ids.slice(1)) await install(w, id, '1.1.0')
    // The adapter names an instance not listed yet as Pending; a port need not: this one leaves it out.
    const {deps} = listedThrough(w.deps, (results) => results.filter((r) => r.status !== 'Pending'))
    const versions = await currentVersions(deps, ids, null)
    expect([...versions.values()]).toEqual([{version: '1.0.0'}, {version: '1.1.0'}, {version: '1.1.0'}, {version: '1.1.0'}])
  })

  it('quotes untrusted output in the reason, cut after 60 characters', async () => {
    const w = world()
    const [a, b] = (await instanceIds(w)) as [string, string]
    const sixty = `x;${'y'.repeat(58)}`
    await install(w, a, sixty)
    await install(w, b, `${sixty}z`)
    const versions = await currentVersions(w.deps, [a, b], '1.0.0')
    expect(versions.get(a)).toEqual({version: null, unknown: `previous version unknown: its current command printed "${sixty}", not a version`})
    expect(versions.get(b)).toEqual({version: null, unknown: `previous version unknown: its current command printed "${sixty}...", not a version`})
  })

  it('gives the read as long as a change and its verify, then names what it waited for', async () => {
    const w = incrementalWorld(
      {instances: 2, timings: {commandMs: [36_000_000, 36_000_000]}},
      {...reading(['release-sim get-version', 'true']), timeouts: {standbyMs: 600_000, applyMs: 60_000, verifyMs: 30_000, healthMs: 600_000}},
    )
    const start = w.clock.now()
    await expect(currentVersions(w.deps, await instanceIds(w), null)).rejects.toThrow(/^Timed out after 1m30s waiting for the current version of 2 instances /)
    expect(w.clock.now() - start).toBe(90_000)
  })

  it('looks less often as a slow read goes on, up to three poll intervals apart', async () => {
    // A read that takes a minute, looked at from 5 s apart up to 15 s apart: 7 looks, not one every 5 s or less.
    const w = world({timings: {commandMs: [60_000, 60_000]}})
    const {deps, seen} = listedThrough(w.deps, (results) => results)
    await currentVersions(deps, await instanceIds(w), null)
    expect(seen.listings).toBeLessThanOrEqual(8)
  })

  it('waits for an agent that registers after the read began, taking the refusal as "not yet"', async () => {
    const w = world({instances: 1, timings: {instanceBootMs: [10_000, 10_000], agentRegistrationMs: [20_000, 20_000]}})
    await w.deps.fleet.setCapacity(GROUP, {min: 0, max: 2, desired: 2})
    w.clock.advance(15_000)
    const ids = await instanceIds(w)
    expect(await w.deps.commands.managedInstances(ids)).toHaveLength(1)
    const versions = await currentVersions(w.deps, ids, null)
    expect([...versions.values()].map((v) => v.version)).toEqual(['1.0.0', '1.0.0'])
  }, 10_000)
})
