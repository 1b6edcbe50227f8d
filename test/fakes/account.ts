/** What tests read off the simulated account: which versions take traffic, which stacks exist. */
import type {SimAccount} from '../../src/sim/index.js'
import {TRAFFIC_SOURCE} from './workspace.js'

/** Versions of the instances in groups attached (Added or InService) to the quickstart's traffic source. */
export function versionsTakingTraffic(sim: SimAccount): string[] {
  const view = sim.view()
  const source = view.trafficSources.find((s) => s.identifier === TRAFFIC_SOURCE)
  const attached = (source?.groups ?? []).filter((g) => g.state === 'InService' || g.state === 'Added')
  return [...new Set(attached.flatMap((g) => g.versions))].sort()
}

/** Live stacks (not deleted) with their status, by name. */
export function liveStacks(sim: SimAccount): Record<string, string> {
  return Object.fromEntries(
    sim
      .view()
      .stacks.filter((s) => s.status !== 'DELETE_COMPLETE')
      .map((s) => [s.name, s.status]),
  )
}

/** Running instances (not terminated) per group, with their versions. */
export function runningInstances(sim: SimAccount): Record<string, string[]> {
  return Object.fromEntries(
    sim.view().groups.map((g) => [
      g.name,
      g.instances.filter((i) => i.lifecycle !== 'Terminated' && i.lifecycle !== 'Terminating').map((i) => i.version ?? '(none)'),
    ]),
  )
}
