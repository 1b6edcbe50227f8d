/**
 * How fast an immutable target is back on its previous version, in virtual time on the simulated
 * account: from the rollback decision to the old group taking all traffic (InService in the target
 * group, every other group detached or leaving it).
 *
 * - bake: the new version degrades during the 20-minute bake (faults.degradeVersions, 20 minutes after launch); the decision is the
 *   bake step seeing it (the release's first revertingTraffic report), and the old group still runs.
 * - retired: the new version was released and the old stack retired (scaled to zero, retained); the
 *   decision is a person running `release rollback`, which re-uses the retained stack.
 */
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {rollback, rollout, type ReleaseHooks} from '../src/app/release.js'
import {SimAccount, type AccountView, type SimFaults} from '../src/sim/index.js'
import {round} from './lib/args.js'
import {COMMAND_LATENCY, openProject, QUICKSTART} from './lib/project.js'
import {SteppedClock} from './lib/sampler.js'

const SOURCE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09'
const ATTACHED = new Set(['Adding', 'Added', 'InService'])

export interface ImmutableRollbackRecord {
  case: 'immutable-rollback'
  when: 'bake' | 'retired'
  seed: number
  /** Instances of the group. */
  n: number
  /** Decision to the old group taking all traffic (virtual seconds). */
  seconds: number
  /** Virtual seconds from the decision to the start of each step of the way back. */
  stepStarts: Record<string, number>
}

function yaml(capacity: number): string {
  return `targets:
  web:
    strategy: immutable
    template: web.yml
    parameters: {DesiredCapacity: ${capacity}}
    trafficSources: ['${SOURCE}']
    retain: 1
    bake: 20m
    verify:
      commands: ['curl -fsS http://localhost:8080/health']
`
}

/** Watches which groups the target group sends traffic to: at every call and every virtual second. */
class TrafficWatch {
  private readonly looks: {at: number; groups: {name: string; state: string; serving: number}[]}[] = []
  private stop: (() => void) | undefined

  constructor(
    private readonly sim: SimAccount,
    private readonly clock: SteppedClock,
  ) {}

  start(): void {
    this.stop = this.sim.observe(() => this.look(this.sim.view()))
    this.clock.onStep = () => this.look(this.sim.view())
  }

  finish(): void {
    this.stop?.()
    this.clock.onStep = undefined
  }

  private look(view: AccountView): void {
    const source = view.trafficSources.find((s) => s.identifier === SOURCE)
    const groups = (source?.groups ?? []).map((g) => ({name: g.name, state: g.state, serving: g.servingInstances}))
    this.looks.push({at: this.clock.now(), groups})
  }

  /** The group serving traffic alone now (the old one, before a release). */
  static servingGroup(sim: SimAccount): string {
    const source = sim.view().trafficSources.find((s) => s.identifier === SOURCE)
    const serving = (source?.groups ?? []).filter((g) => g.state === 'InService')
    if (serving.length !== 1) throw new Error(`expected one group serving ${SOURCE}, found ${serving.length}`)
    return serving[0]!.name
  }

  /** First look at or after `from` where `group` is InService and every other group has left or is leaving. */
  aloneSince(group: string, from: number): number {
    for (const look of this.looks) {
      if (look.at < from) continue
      const mine = look.groups.find((g) => g.name === group)
      const others = look.groups.filter((g) => g.name !== group && ATTACHED.has(g.state))
      if (mine?.state === 'InService' && mine.serving > 0 && others.length === 0) return look.at
    }
    throw new Error(`group ${group} never took all traffic`)
  }
}

async function setUp(seed: number, capacity: number, faults: SimFaults) {
  const project = await openProject({'release.yml': yaml(capacity), 'web.yml': readFileSync(join(QUICKSTART, 'web.yml'), 'utf8')})
  const clock = new SteppedClock(1_000)
  // The account must have the target group the template names (the preflight checks it).
  const sim = SimAccount.open({clock, seed, faults, timings: {commandLatency: COMMAND_LATENCY}, targetGroups: {[SOURCE]: {}}})
  const first = await rollout(project.ws, {target: 'web', version: '1.0.0'}, {}, {sim})
  if (first.outcome !== 'succeeded') throw new Error(`first release ended ${first.outcome}: ${first.message}`)
  return {ws: project.ws, clock, sim, dir: project.dir}
}

/** Times of the first progress report of each step after the decision. */
function stepClock(clock: SteppedClock) {
  const starts: Record<string, number> = {}
  const hooks: ReleaseHooks = {
    onProgress: (event) => {
      starts[event.state] ??= clock.now()
    },
  }
  return {starts, hooks}
}

/** Steps started from the decision up to the moment the old group took all traffic, in seconds after the decision. */
function relative(starts: Record<string, number>, from: number, to: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(starts)
      .filter(([, at]) => at >= from && at <= to)
      .map(([step, at]) => [step, round((at - from) / 1000, 1)]),
  )
}

export async function rollbackDuringBake(seed: number, capacity = 4): Promise<ImmutableRollbackRecord> {
  // Healthy through verify and shift, unhealthy in the middle of the 20-minute bake. Shifting waits for
  // the load balancer's health checks (5 x 30 s with AWS's defaults) and the old group's deregistration,
  // so it ends about 10 minutes after launch: 20 minutes after launch is well inside the bake.
  const {ws, clock, sim, dir} = await setUp(seed, capacity, {degradeVersions: [{pattern: '2.0.0', afterSeconds: 1200}]})
  const old = TrafficWatch.servingGroup(sim)
  const watch = new TrafficWatch(sim, clock)
  const {starts, hooks} = stepClock(clock)
  watch.start()
  const result = await rollout(ws, {target: 'web', version: '2.0.0'}, hooks, {sim})
  watch.finish()
  const failedStep = (result.record.details as {failure?: {step?: string}} | undefined)?.failure?.step
  if (result.outcome !== 'rolledBack' || failedStep !== 'baking') {
    throw new Error(`expected a rollback from the bake, got ${result.outcome} (${failedStep}): ${result.message}`)
  }
  const decidedAt = starts['revertingTraffic']
  if (decidedAt === undefined) throw new Error('the release never reported revertingTraffic')
  const at = watch.aloneSince(old, decidedAt)
  rmSync(dir, {recursive: true, force: true})
  return {case: 'immutable-rollback', when: 'bake', seed, n: capacity, seconds: round((at - decidedAt) / 1000, 1), stepStarts: relative(starts, decidedAt, at)}
}

export async function rollbackAfterRetirement(seed: number, capacity = 4): Promise<ImmutableRollbackRecord> {
  const {ws, clock, sim, dir} = await setUp(seed, capacity, {})
  const old = TrafficWatch.servingGroup(sim)
  const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
  if (second.outcome !== 'succeeded') throw new Error(`second release ended ${second.outcome}: ${second.message}`)
  const watch = new TrafficWatch(sim, clock)
  const {starts, hooks} = stepClock(clock)
  watch.start()
  const decidedAt = clock.now()
  const result = await rollback(ws, {target: 'web'}, hooks, {sim})
  watch.finish()
  if (result.outcome !== 'succeeded') throw new Error(`rollback ended ${result.outcome}: ${result.message}`)
  const at = watch.aloneSince(old, decidedAt)
  rmSync(dir, {recursive: true, force: true})
  return {case: 'immutable-rollback', when: 'retired', seed, n: capacity, seconds: round((at - decidedAt) / 1000, 1), stepStarts: relative(starts, decidedAt, at)}
}

export async function benchImmutableRollback(seeds: number[]): Promise<ImmutableRollbackRecord[]> {
  const records: ImmutableRollbackRecord[] = []
  for (const seed of seeds) {
    for (const record of [await rollbackDuringBake(seed), await rollbackAfterRetirement(seed)]) {
      const steps = Object.entries(record.stepStarts)
        .map(([step, s]) => `${step}@${s}s`)
        .join(' ')
      console.log(`immutable rollback ${record.when.padEnd(7)} seed=${seed}  ${String(record.seconds).padStart(6)} s virtual  (${steps})`)
      records.push(record)
    }
  }
  return records
}
