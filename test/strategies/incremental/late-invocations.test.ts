import {paginateListCommandInvocations, paginateListCommands} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {rollout} from '../../../src/app/release.js'
import {createSimClients} from '../../../src/sim/index.js'
import {notInService, openIncremental, versionCounts} from '../../fakes/incremental.js'

/**
 * SSM is slow to show what happened: an invocation exists a while after SendCommand, and its end is
 * listed only once its agent reported it, while ListCommands' counts may already have moved. A window
 * that looks when completions are due must neither miss such an instance (wait for it until its
 * deadline, fail it, roll back) nor take it as done twice (send its change again).
 */
describe('late invocations and late agent reports', () => {
  it.each([
    ['invocations that appear late', {invocationVisibleMs: [20_000, 45_000] as [number, number]}],
    ['agents that report late', {agentReportMs: [20_000, 45_000] as [number, number]}],
  ])('%s: every instance changed once, none missed', async (_what, timings) => {
    const {ws, sim} = await openIncremental({instances: 30, maxUnavailable: '20%', canary: 0, seed: 11, commandLatency: {medianMs: 60_000, p95Ms: 120_000}, timings})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 30})
    expect(notInService(sim)).toEqual([])
    // Sent once each: no instance appears in two changes to 2.0.0.
    const sends = new Map<string, number>()
    for await (const page of paginateListCommands({client: createSimClients(sim).ssm}, {})) {
      for (const command of (page.Commands ?? []).filter((c) => c.Comment?.includes('to 2.0.0'))) {
        for (const id of command.InstanceIds ?? []) sends.set(id, (sends.get(id) ?? 0) + 1)
      }
    }
    expect(sends.size).toBe(30)
    expect([...sends.values()].every((n) => n === 1)).toBe(true)
  })

  it.each([
    ['invocations that appear late', {invocationVisibleMs: [20_000, 45_000] as [number, number]}],
    ['agents that report late', {agentReportMs: [20_000, 45_000] as [number, number]}],
    ['listings that show an end after the counts did', {listingLagMs: [20_000, 45_000] as [number, number]}],
  ])('%s, some changes failing: the release counts exactly the failures SSM reports', async (_what, timings) => {
    // A command with a failed invocation never reads Success, so its instances are known only by
    // listing them: the last of them must be listed again until its end shows, not given up on.
    const {ws, sim} = await openIncremental({
      instances: 30,
      maxUnavailable: '40%',
      canary: 0,
      maxErrors: '50%',
      seed: 11,
      faults: {commandFailureRate: 0.15},
      commandLatency: {medianMs: 60_000, p95Ms: 120_000},
      timings,
    })
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    const failedBySsm = new Set<string>()
    const ssm = createSimClients(sim).ssm
    for await (const page of paginateListCommandInvocations({client: ssm}, {})) {
      for (const invocation of page.CommandInvocations ?? []) {
        if (invocation.Comment?.includes('to 2.0.0') && invocation.Status === 'Failed') failedBySsm.add(invocation.InstanceId!)
      }
    }
    expect(failedBySsm.size).toBeGreaterThan(0)
    expect(result.message).toContain(`${failedBySsm.size} failed within maxErrors`)
    expect(versionCounts(sim)).toEqual({'2.0.0': 30 - failedBySsm.size, '1.0.0': failedBySsm.size})
    expect(notInService(sim)).toEqual([])
  })
})
