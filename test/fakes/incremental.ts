/**
 * A project with one incremental target `api` over a seeded fleet on an in-memory simulated account,
 * and readers of what the account shows: versions per instance, instances out of service.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {openWorkspace, type Workspace} from '../../src/app/workspace.js'
import {SimAccount, type SimFaults, type SimTimings} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'

export const API_SOURCE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/3f1c5e0b9a7d2c41'

export interface IncrementalOptions {
  instances?: number
  maxUnavailable?: string
  maxErrors?: string
  canary?: number
  faults?: SimFaults
  seed?: number
  commandLatency?: {medianMs: number; p95Ms: number}
  /** The change's verify lines (default: release-sim check); [] leaves a bad version to the load balancer. */
  verify?: string[]
  /** Extra YAML lines under targets.api. */
  extra?: string
  /** The version every instance runs at the start (1.0.0). */
  version?: string
  /** The fleet group's MinSize (default 0). */
  min?: number
  /** Timings of the simulated account besides commandLatency (e.g. a slow agent registration). */
  timings?: Partial<SimTimings>
}

export interface IncrementalProject {
  dir: string
  ws: Workspace
  sim: SimAccount
  clock: VirtualClock
}

export async function openIncremental(options: IncrementalOptions = {}): Promise<IncrementalProject> {
  const dir = mkdtempSync(join(tmpdir(), 'release-inc-'))
  writeFileSync(
    join(dir, 'release.yml'),
    `targets:
  api:
    strategy: incremental
    fleet: {group: api-fleet}
    change:
      apply: ['release-sim set-version {{version}}']
      verify: ${JSON.stringify(options.verify ?? ['release-sim check'])}
      current: ['release-sim get-version']
    maxUnavailable: ${options.maxUnavailable ?? '25%'}
    canary: ${options.canary ?? 1}
    maxErrors: ${options.maxErrors ?? '0'}
    bake: 1m
${options.extra ?? ''}`,
  )
  const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
  const clock = new VirtualClock()
  const sim = SimAccount.open({
    clock,
    seed: options.seed ?? 5,
    faults: options.faults ?? {unhealthyVersions: ['*-bad']},
    fleets: {'api-fleet': {instances: options.instances ?? 12, version: options.version ?? '1.0.0', trafficSources: [API_SOURCE], min: options.min}},
    timings: options.commandLatency || options.timings ? {...options.timings, ...(options.commandLatency ? {commandLatency: options.commandLatency} : {})} : undefined,
  })
  return {dir, ws, sim, clock}
}

/** Each instance's version, by id (the first group's). */
export function versionsById(sim: SimAccount): Record<string, string | undefined> {
  return Object.fromEntries((sim.view().groups[0]?.instances ?? []).map((i) => [i.id, i.version]))
}

/** Runs `work`, returning what it returned and the most instances out of service at once, at any call during it. */
export async function watchingOutOfService<T>(sim: SimAccount, work: () => Promise<T>): Promise<{result: T; worst: number}> {
  let worst = 0
  const stop = sim.observe((summary) => {
    worst = Math.max(worst, summary.outOfService)
  })
  try {
    const result = await work()
    return {result, worst}
  } finally {
    stop()
  }
}

/** How many instances run each version, in the fleet. */
export function versionCounts(sim: SimAccount): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const group of sim.view().groups) {
    for (const i of group.instances) counts[i.version ?? '?'] = (counts[i.version ?? '?'] ?? 0) + 1
  }
  return counts
}

/** Instances not InService (Standby, entering or leaving it). */
export function notInService(sim: SimAccount): string[] {
  return sim.view().groups.flatMap((g) => g.instances.filter((i) => i.lifecycle !== 'InService').map((i) => `${i.id}:${i.lifecycle}`))
}
