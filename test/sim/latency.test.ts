import {describe, expect, it} from 'vitest'
import type {SimTimings} from '../../src/sim/index.js'
import {groupInstanceIds, harness, listInvocations, runShell} from './helpers.js'

/** Run times (start to end) of one invocation on each of 2,000 instances. */
async function runTimes(timings: Partial<SimTimings> = {}): Promise<number[]> {
  const h = harness({fleets: {'db-fleet': {instances: 2_000, version: '1.0.0'}}, timings, seed: 17})
  const ids = await groupInstanceIds(h, 'db-fleet')
  const commandIds: string[] = []
  for (let i = 0; i < ids.length; i += 50) commandIds.push(await runShell(h, ids.slice(i, i + 50), ['systemctl restart db']))
  h.clock.advance(2 * 3_600_000)
  const durations: number[] = []
  for (const commandId of commandIds) {
    for (const invocation of await listInvocations(h, commandId)) {
      const plugin = invocation.CommandPlugins![0]!
      expect(plugin.Status).toBe('Success')
      durations.push(plugin.ResponseFinishDateTime!.getTime() - plugin.ResponseStartDateTime!.getTime())
    }
  }
  return durations.sort((a, b) => a - b)
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

describe('SSM invocation run times', () => {
  it('are log-normal with a 15 s median and a 40 s p95 by default', async () => {
    const durations = await runTimes()
    expect(durations).toHaveLength(2_000)
    expect(quantile(durations, 0.5)).toBeGreaterThan(13_000)
    expect(quantile(durations, 0.5)).toBeLessThan(17_000)
    expect(quantile(durations, 0.95)).toBeGreaterThan(33_000)
    expect(quantile(durations, 0.95)).toBeLessThan(48_000)
    expect(durations[0]).toBeGreaterThan(0)
  })

  it('follow the configured median and p95 (benchmarks: 90 s and 160 s)', async () => {
    const durations = await runTimes({commandLatency: {medianMs: 90_000, p95Ms: 160_000}})
    expect(quantile(durations, 0.5)).toBeGreaterThan(80_000)
    expect(quantile(durations, 0.5)).toBeLessThan(100_000)
    expect(quantile(durations, 0.95)).toBeGreaterThan(140_000)
    expect(quantile(durations, 0.95)).toBeLessThan(185_000)
  })

  it('fall back to the uniform commandMs range when only that is given', async () => {
    const durations = await runTimes({commandMs: [1_000, 2_000]})
    expect(durations[0]).toBeGreaterThanOrEqual(1_000)
    expect(durations.at(-1)).toBeLessThanOrEqual(2_000)
  })
})
