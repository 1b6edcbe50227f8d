/**
 * A world for testing one step of the incremental strategy on its own: a seeded fleet on the simulated
 * account, our adapters on its SDK clients, and the deps the app would give the step. Whole releases
 * are test/app's job.
 */
import {AutoScalingFleet, ElbTargetGroups, SsmCommands, SsmParameters} from '../../../src/aws/index.js'
import {JournalInstanceLog} from '../../../src/engine/instance-journal.js'
import type {ProgressEvent} from '../../../src/ports/release.js'
import {createSimClients, SimAccount, type SimFaults, type SimTimings} from '../../../src/sim/index.js'
import {VirtualClock} from '../../../src/util/clock.js'
import {FileStateStore} from '../../../src/store/file.js'
import {seededRandom} from '../../../src/util/random.js'
import type {IncrementalDeps, IncrementalSettings} from '../../../strategies/incremental/deps.js'
import {API_SOURCE} from '../../fakes/incremental.js'
import {tempDir} from '../../fakes/temp.js'

export {API_SOURCE}
export const GROUP = 'api-fleet'

export interface StepWorldOptions {
  instances?: number
  /** The simulated account's seed (default 7): which draws fail, when commands end. */
  seed?: number
  /** The version every instance runs at the start (default 1.0.0). */
  version?: string
  /** Attach the fleet to API_SOURCE (instances go to Standby while they change). */
  behindTargetGroup?: boolean
  faults?: SimFaults
  timings?: Partial<SimTimings>
  /** Give the deps the target group port (health as the load balancer sees it). */
  withTargets?: boolean
}

export function incrementalWorld(options: StepWorldOptions = {}, settings: Partial<IncrementalSettings> = {}) {
  const clock = new VirtualClock()
  const account = SimAccount.open({
    clock,
    seed: options.seed ?? 7,
    faults: options.faults,
    fleets: {[GROUP]: {instances: options.instances ?? 3, version: options.version ?? '1.0.0', ...(options.behindTargetGroup ? {trafficSources: [API_SOURCE]} : {})}},
    targetGroups: {[API_SOURCE]: {}},
    timings: {agentRegistrationMs: [0, 0], ...options.timings},
  })
  const clients = createSimClients(account)
  const retry = {random: seededRandom(7)}
  const reports: ProgressEvent[] = []
  const deps: IncrementalDeps = {
    fleet: new AutoScalingFleet({client: clients.autoScaling, clock, retry}),
    commands: new SsmCommands({client: clients.ssm, clock, retry}),
    parameters: new SsmParameters({client: clients.ssm, clock, retry}),
    ...(options.withTargets ? {targets: new ElbTargetGroups({client: clients.elbv2, clock, retry})} : {}),
    clock,
    report: (event) => reports.push(event),
    settings: {
      target: 'api',
      fleet: {group: GROUP},
      change: {document: 'AWS-RunShellScript', apply: ['release-sim set-version {{version}}'], verify: ['release-sim check'], current: [], parameters: {}},
      maxUnavailable: {count: 1},
      canary: 1,
      maxErrors: {count: 0},
      bakeMs: 60_000,
      timeouts: {standbyMs: 600_000, applyMs: 600_000, verifyMs: 600_000, healthMs: 600_000},
      pollIntervalMs: 5_000,
      ...settings,
    },
  }
  return {clock, account, clients, deps, reports, messages: () => reports.map((r) => r.message)}
}

export type IncrementalWorld = ReturnType<typeof incrementalWorld>

/** The fleet's instance ids, in the group's order. */
export async function instanceIds(world: IncrementalWorld): Promise<string[]> {
  return ((await world.deps.fleet.describeGroup(GROUP))?.instances ?? []).map((i) => i.id)
}

/** The instance journal of release api-3, in a state directory of its own, on the world's clock. */
export function instanceJournal(world: IncrementalWorld): JournalInstanceLog {
  return new JournalInstanceLog(new FileStateStore(tempDir('release-step-')), 'api-3', () => world.clock.now())
}

/** Puts `version` on an instance by hand, and lets the change end (any text: the account takes it as it is). */
export async function install(world: IncrementalWorld, instanceId: string, version: string): Promise<void> {
  await world.deps.commands.send({documentName: 'AWS-RunShellScript', instanceIds: [instanceId], parameters: {commands: [`release-sim set-version ${version}`]}, comment: 'by hand'})
  world.clock.advance(600_000)
}
