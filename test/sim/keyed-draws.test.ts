/**
 * The simulated account's draws are keyed (an instance's nth invocation, the nth call of a kind), not
 * taken from one shared sequence: the same seed gives the same run, and an instance's run times do not
 * depend on when the release happened to look or send.
 */
import {paginateListCommandInvocations} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {createSimClients, type SimAccount, type SimFaults} from '../../src/sim/index.js'
import {openIncremental} from '../fakes/incremental.js'

/** Each instance's run time of its change to 2.0.0 (ms), read back from the account. */
async function runTimes(sim: SimAccount): Promise<Record<string, number>> {
  // Read back without faults: this listing is the test's, not the release's, and has no retries.
  sim.setFaults({...sim.faults, network: undefined, throttle: undefined})
  const times: Record<string, number> = {}
  for await (const page of paginateListCommandInvocations({client: createSimClients(sim).ssm}, {Details: true})) {
    for (const invocation of page.CommandInvocations ?? []) {
      const plugin = invocation.CommandPlugins?.[0]
      if (invocation.Comment?.includes('to 2.0.0') && plugin?.ResponseStartDateTime && plugin.ResponseFinishDateTime) {
        times[invocation.InstanceId!] = plugin.ResponseFinishDateTime.getTime() - plugin.ResponseStartDateTime.getTime()
      }
    }
  }
  return times
}

async function run(seed: number, faults: SimFaults) {
  const {ws, sim} = await openIncremental({instances: 24, maxUnavailable: '25%', canary: 0, seed, commandLatency: {medianMs: 60_000, p95Ms: 120_000}, faults})
  const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
  expect(result.outcome, result.message).toBe('succeeded')
  const metrics = sim.metrics()
  return {calls: metrics.calls, networkFailures: metrics.networkFailures, throttled: metrics.throttled, runTimes: await runTimes(sim)}
}

describe('keyed draws of the simulated account', () => {
  it('the same seed gives the same run, network faults included', async () => {
    const first = await run(4, {network: {rate: 0.2}})
    const second = await run(4, {network: {rate: 0.2}})
    expect(second).toEqual(first)
    expect(first.networkFailures.before + first.networkFailures.after).toBeGreaterThan(0)
  })

  it("an instance's run time does not depend on the calls the release made before sending it", async () => {
    // Throttling and lost answers change how many calls the release makes, and when it sends: the
    // run times drawn for each instance stay the same.
    const calm = await run(6, {})
    const stormy = await run(6, {network: {rate: 0.2}, throttle: {rate: 0.2}})
    expect(stormy.throttled).toBeGreaterThan(0)
    expect(Object.keys(calm.runTimes)).toHaveLength(24)
    expect(stormy.runTimes).toEqual(calm.runTimes)
  })
})
