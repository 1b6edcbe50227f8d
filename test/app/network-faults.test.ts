/**
 * A real network resets and times out calls, before they reach AWS and after AWS carried them out.
 * With 20% of the calls of every service failing so, a release of the quickstart ends as it does
 * without: same outcome, same live version. And no SendCommand (the one call that is not idempotent)
 * is ever sent twice for one instance and step: a lost answer is found again by its token.
 */
import {join} from 'node:path'
import {paginateListCommands} from '@aws-sdk/client-ssm'
import {beforeAll, describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {statusOf} from '../../src/app/views.js'
import {simAccountSettings} from '../../src/app/account.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {createSimClients, SimAccount, type SimFaults} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {versionsTakingTraffic} from '../fakes/account.js'
import {versionCounts} from '../fakes/incremental.js'
import {copyQuickstart} from '../fakes/workspace.js'

const NETWORK: SimFaults['network'] = {rate: 0.2}
/** Seeds of the account's PRNG, which draws the faults: each run fails other calls. */
const SEEDS = [1, 2, 3, 4]
/** An immutable release sends few commands (the smoke checks): more runs, cheap as each is. */
const IMMUTABLE_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8]

/** The quickstart in a temp directory, on an in-memory account seeded as its release.yml says. */
async function quickstart(network?: SimFaults['network'], seed?: number) {
  const dir = copyQuickstart('release-net-')
  const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
  const clock = new VirtualClock()
  // As the CLI opens it (its alarms, target groups, fleets), but in memory, on this clock and seed.
  const settings = simAccountSettings(ws.config)
  const sim = SimAccount.open({
    ...settings,
    clock,
    seed: seed ?? settings.seed,
    faults: {...settings.faults, ...(network ? {network} : {})},
  })
  return {ws, sim, clock}
}

/** Every SendCommand the account received, as `instance | step` (the comment without our token): how many times each. */
async function sendsPerInstanceAndStep(sim: SimAccount): Promise<Map<string, number>> {
  // Read with the faults off: this is the test looking, not the release.
  sim.setFaults({...sim.faults, network: undefined})
  const counts = new Map<string, number>()
  for await (const page of paginateListCommands({client: createSimClients(sim).ssm}, {})) {
    for (const command of page.Commands ?? []) {
      const step = (command.Comment ?? '').replace(/^#[0-9a-f]+ ?/, '')
      for (const instanceId of command.InstanceIds ?? []) {
        const key = `${instanceId} | ${step}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
    }
  }
  return counts
}

function sentTwice(counts: Map<string, number>): string[] {
  return [...counts].filter(([, n]) => n > 1).map(([key, n]) => `${key} x${n}`)
}

/** What the faults did over every run of a describe: they must have hit both sides, and a SendCommand. */
function tally() {
  const total = {before: 0, after: 0, lostSends: 0}
  return {
    total,
    add(sim: SimAccount) {
      const {before, after, lostAnswers} = sim.metrics().networkFailures
      total.before += before
      total.after += after
      total.lostSends += lostAnswers['ssm:SendCommand'] ?? 0
    },
  }
}

describe('20% network faults on every service, immutable', () => {
  const seen = tally()
  // The same releases without faults, the reference of every seed: they draw nothing from a seed, so
  // one run of them is the reference of all.
  let calm: {sim: SimAccount; first: string; second: string}
  beforeAll(async () => {
    const {ws, sim} = await quickstart()
    const first = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    calm = {sim, first: first.outcome, second: second.outcome}
  })

  it.each(IMMUTABLE_SEEDS)('the release ends as without them, and no SendCommand is sent twice (seed %i)', async (seed) => {
    const {ws, sim} = await quickstart(NETWORK, seed)
    const first = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    seen.add(sim)

    expect([first.outcome, second.outcome]).toEqual([calm.first, calm.second])
    expect(second.outcome).toBe('succeeded')
    expect((await statusOf(ws, 'web')).liveVersion).toBe('2.0.0')
    expect(versionsTakingTraffic(sim)).toEqual(versionsTakingTraffic(calm.sim))
    expect(sentTwice(await sendsPerInstanceAndStep(sim))).toEqual([])
  })

  it('the faults hit calls on both sides of the services', () => {
    expect(seen.total.before).toBeGreaterThan(20)
    expect(seen.total.after).toBeGreaterThan(20)
    // An immutable release sends a handful of SendCommands (the smoke checks), and the order of its
    // calls varies with the interleaving of its polls, so a lost SendCommand answer happens in some
    // runs only. The incremental runs below lose several in every run, and test/aws/network.test.ts
    // loses one on purpose: those prove a lost answer is found again, not sent twice.
  })
})

describe('20% network faults on every service, incremental', () => {
  const seen = tally()
  // The release without faults, the reference of every seed (it draws nothing from a seed).
  let calm: {sim: SimAccount; outcome: string}
  beforeAll(async () => {
    const {ws, sim} = await quickstart()
    calm = {sim, outcome: (await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})).outcome}
  })

  it.each(SEEDS)('the release ends as without them, and no SendCommand is sent twice for one instance and step (seed %i)', async (seed) => {

    const {ws, sim} = await quickstart(NETWORK, seed)
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    seen.add(sim)

    expect(result.outcome).toBe(calm.outcome)
    expect(result.outcome).toBe('succeeded')
    expect((await statusOf(ws, 'api')).liveVersion).toBe('2.0.0')
    expect(versionCounts(sim)).toEqual(versionCounts(calm.sim))
    const sends = await sendsPerInstanceAndStep(sim)
    // Every instance of the fleet was changed (and read) once: the record is not empty.
    expect(sends.size).toBeGreaterThanOrEqual(12)
    expect(sentTwice(sends)).toEqual([])
  })

  it('the faults hit calls on both sides of the services, and SendCommands whose answer was lost', () => {
    expect(seen.total.before).toBeGreaterThan(20)
    expect(seen.total.after).toBeGreaterThan(20)
    expect(seen.total.lostSends).toBeGreaterThan(0)
  })
})
