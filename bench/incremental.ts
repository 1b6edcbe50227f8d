/**
 * One incremental rollout of a seeded fleet on the simulated account, in its own process so that its
 * peak RSS and CPU time are its own:
 *
 *   node dist/bench/incremental.js --n 1000 --max-unavailable 10 --policy sliding --seed 1 [--poll-ms 10000] [--gap-ms 32000] [--throttle 20]
 *
 * prints one JSON record on its last line (prefixed RECORD). The rollout goes through `rollout()`
 * like `release rollout`; with --poll-ms, which release.yml cannot set, the same machine and steps
 * run with that poll interval in their settings (see runWithPollInterval).
 *
 * Rollout time is the change span from the release's journal: from the first instance sent to
 * Standby to the last one the release saw back in service (canary 0, so the span is the window's
 * alone; planning and the bake are fixed costs reported apart). The lower bound is
 * max(work / window, slowest work), where an instance's work is what the account spent on it:
 * entering Standby, running its change (apply+verify), returning to service (bench/lib/sampler.ts),
 * then passing the load balancer's health check (healthy threshold x interval, as on AWS).
 */
import {rmSync} from 'node:fs'
import {pathToFileURL} from 'node:url'
import {openAccount} from '../src/app/account.js'
import {incrementalDeps, incrementalRunner} from '../src/app/kinds/incremental.js'
import {WINDOW_POLL_INTERVAL_MS} from '../src/app/kinds/timing.js'
import {rollout} from '../src/app/release.js'
import type {IncrementalTargetConfig} from '../src/config/index.js'
import {JournalInstanceLog} from '../src/engine/instance-journal.js'
import {runPersisted} from '../src/engine/runner.js'
import {SimAccount} from '../src/sim/index.js'
import {TARGET_GROUP_DEFAULTS} from '../src/sim/targets.js'
import {incrementalStrategy} from '../strategies/incremental/index.js'
import {passingMs} from '../strategies/instance-health.js'
import {DEFAULT_POLL_GAP_MS} from '../strategies/incremental/window.js'
import {numberOption, option, round} from './lib/args.js'
import {API_SOURCE, COMMAND_LATENCY, incrementalYaml, openProject, stateBytes, type BenchWorkspace, type StateBytes} from './lib/project.js'
import {CHANGING, ENTERING, FleetSampler, type FleetTimes, RETURNING, SteppedClock, WAITING_TO_CHANGE, WAITING_TO_RETURN} from './lib/sampler.js'

export type Policy = 'sliding' | 'fixed'

export interface IncrementalRecord {
  case: 'incremental'
  n: number
  /** Percent of the fleet. */
  maxUnavailable: number
  policy: Policy
  seed: number
  /** Instances out of service at once (maxUnavailable resolved). */
  window: number
  ratioToLowerBound: number
  rolloutSeconds: number
  lowerBoundSeconds: number
  /** Planning to succeeded, the 1-minute bake included. */
  endToEndSeconds: number
  apiCallsPerInstance: number
  callsByName: Record<string, number>
  throttled: number
  persistedBytesPerInstance: number
  persistedBytes: StateBytes
  /** Bytes handed to the store over the rollout, rewrites of the snapshot and ledger included. */
  writtenBytesPerInstance: number
  peakRssMb: number
  /** User + system CPU of the process during the rollout (the in-process simulated account included), the sampler's own left out. */
  cpuMs: number
  /** The same for the whole process: start-up, the project and the seeded fleet included. */
  processCpuMs: number
  wallMs: number
  /**
   * Where the window's places went over the span (shares of window x span): instances working
   * (entering Standby, changing, returning), instances in Standby waiting for the release to send
   * their change or to return them, and places left empty while instances were still queued
   * (an instance back in service, not yet noticed or replaced) or after the last one started (the drain).
   */
  windowShares: {work: number; waitingToChange: number; waitingToReturn: number; emptyWhileQueued: number; emptyInDrain: number}
  perInstanceMeanSeconds: {enteringStandby: number; changing: number; returning: number; waitingToChange: number; waitingToReturn: number}
  /** Per instance, after it is back InService: the target group's healthy threshold x interval. */
  targetHealthSeconds: number
  /**
   * The same instances with the same work, in the same order and window, with instant detection:
   * what the policy itself costs (the drain of the last turn for sliding, waiting for each batch's
   * slowest for fixed), the rest of the ratio being polling.
   */
  idealRatio: {sliding: number; fixed: number}
  /** From the last instance started to the end of the span. */
  drainSeconds: number
  slowestInstanceSeconds: number
  maxOutOfService: number
  pollIntervalMs: number
  /** The look planner's gap between full looks for a window of 100 (ms): the default unless --gap-ms. */
  gapMs: number
  /** Percent of calls throttled on every service (0: none). */
  throttlePercent: number
  /** With --series: instances out of service every 10 s of the span, [seconds since its start, count]. */
  occupancy?: [number, number][]
}

export interface FrontierRecord {
  case: 'poll-frontier'
  n: number
  maxUnavailable: number
  seed: number
  pollIntervalMs: number
  gapMs: number
  ratioToLowerBound: number
  apiCallsPerInstance: number
  /** Mean time an instance sat in Standby waiting for the release to notice it (before its change and after it). */
  idlePerInstanceSeconds: number
  /** Share of the window's places left empty while instances were still queued (returned, not yet replaced). */
  emptyWhileQueuedShare: number
}

interface Options {
  n: number
  maxUnavailable: number
  policy: Policy
  seed: number
  pollMs?: number
  /** The look planner's gap between full looks for a window of 100 (ms), which release.yml cannot set either. */
  gapMs?: number
  /** Percent of calls throttled on every service (the simulated throttle fault), for the throttling bench. */
  throttlePercent?: number
  series?: boolean
  /** Keep the project's temp directory (its state directory) for a look afterwards. */
  keep?: boolean
}

const SAMPLE_MS = 1_000
const VERSION = '2.0.0'

export async function runIncremental(options: Options): Promise<IncrementalRecord> {
  const {n, maxUnavailable, policy, seed} = options
  const project: BenchWorkspace = await openProject({'release.yml': incrementalYaml({maxUnavailablePercent: maxUnavailable})})
  const {ws, store} = project
  const target = ws.config.targets.api as IncrementalTargetConfig
  // release.yml has no key for the policy: it is a benchmark comparison (strategies/incremental/deps.ts).
  target.windowPolicy = policy

  const clock = new SteppedClock(SAMPLE_MS)
  const sim = SimAccount.open({
    clock,
    seed,
    faults: options.throttlePercent ? {throttle: {rate: options.throttlePercent / 100}} : {},
    fleets: {'api-fleet': {instances: n, version: '1.0.0', trafficSources: [API_SOURCE]}},
    timings: {commandLatency: COMMAND_LATENCY},
  })
  const sampler = new FleetSampler(sim, clock)
  sampler.start()
  const cpuBefore = process.cpuUsage()
  const startedVirtual = clock.now()
  const startedWall = performance.now()

  let releaseId: string
  let outcome: string
  let pollIntervalMs: number
  if (options.pollMs === undefined && options.gapMs === undefined) {
    const result = await rollout(ws, {target: 'api', version: VERSION}, {}, {sim})
    releaseId = result.record.id
    outcome = `${result.outcome}: ${result.message}`
    pollIntervalMs = WINDOW_POLL_INTERVAL_MS
  } else {
    pollIntervalMs = options.pollMs ?? WINDOW_POLL_INTERVAL_MS
    const result = await runWithPollInterval(project, sim, target, pollIntervalMs, {
      ...(options.gapMs === undefined ? {} : {gapMs: options.gapMs}),
    })
    releaseId = result.releaseId
    outcome = result.outcome
  }
  const wallMs = performance.now() - startedWall
  const endToEndMs = clock.now() - startedVirtual
  const times = sampler.finish()
  if (!outcome.startsWith('succeeded')) throw new Error(`rollout of ${n} instances ended ${outcome}`)

  const span = await changeSpan(project, releaseId)
  const window = Math.max(1, Math.min(n, Math.floor((maxUnavailable / 100) * n)))
  // Back InService, an instance is not done until the load balancer has passed it in its target
  // group: HealthyThresholdCount checks, one per HealthCheckIntervalSeconds (the bench fleet has one
  // target group with AWS's defaults). The account spends that time whatever the release does, so it
  // belongs to every instance's work (the sampler sees InService and cannot tell).
  const healthMs = passingMs([TARGET_GROUP_DEFAULTS])
  const lowerBoundMs = Math.max((times.workMs + n * healthMs) / window, times.slowestWorkMs + healthMs)
  const capacityMs = window * span.ms
  const work = workInPlanOrder(times, span.order).map((w) => w + healthMs)
  // The sampler sees an instance InService while the load balancer still checks it: its place is
  // held, not empty. Each instance's check is taken as the healthMs before the release saw it done.
  const checking = (from: number, to: number) => span.doneAt.reduce((sum, at) => sum + Math.max(0, Math.min(at, to) - Math.max(at - healthMs, from)), 0)
  const emptyWhileQueued = Math.max(0, emptyPlaces(times.outSeries, window, span.first, span.lastStart) - checking(span.first, span.lastStart))
  const emptyInDrain = Math.max(0, emptyPlaces(times.outSeries, window, span.lastStart, span.end) - checking(span.lastStart, span.end))
  const metrics = sim.metrics()
  const calls = Object.values(metrics.calls).reduce((a, b) => a + b, 0)
  const persisted = stateBytes(ws.config.stateDir)
  if (options.keep) console.error(`kept ${project.dir}`)
  else rmSync(project.dir, {recursive: true, force: true})
  const usage = process.resourceUsage()
  const cpu = process.cpuUsage(cpuBefore)
  const total = (phase: number) => times.perInstance[phase]!.reduce((a, b) => a + b, 0)
  const mean = (phase: number) => total(phase) / n / 1000

  return {
    case: 'incremental',
    n,
    maxUnavailable,
    policy,
    seed,
    window,
    ratioToLowerBound: round(span.ms / lowerBoundMs, 3),
    rolloutSeconds: round(span.ms / 1000, 1),
    lowerBoundSeconds: round(lowerBoundMs / 1000, 1),
    endToEndSeconds: round(endToEndMs / 1000, 1),
    apiCallsPerInstance: round(calls / n, 3),
    callsByName: Object.fromEntries(Object.entries(metrics.calls).sort((a, b) => b[1] - a[1])),
    throttled: metrics.throttled,
    persistedBytesPerInstance: round(persisted.total / n, 1),
    persistedBytes: persisted,
    writtenBytesPerInstance: round(store.total / n, 1),
    peakRssMb: round(usage.maxRSS / 1024, 1),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000 - times.samplerCpuMs),
    processCpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000 - times.samplerCpuMs),
    wallMs: Math.round(wallMs),
    windowShares: {
      work: round((times.workMs + n * healthMs) / capacityMs, 3),
      waitingToChange: round(total(WAITING_TO_CHANGE) / capacityMs, 3),
      waitingToReturn: round(total(WAITING_TO_RETURN) / capacityMs, 3),
      emptyWhileQueued: round(emptyWhileQueued / capacityMs, 3),
      emptyInDrain: round(emptyInDrain / capacityMs, 3),
    },
    perInstanceMeanSeconds: {
      enteringStandby: round(mean(ENTERING), 1),
      changing: round(mean(CHANGING), 1),
      returning: round(mean(RETURNING), 1),
      waitingToChange: round(mean(WAITING_TO_CHANGE), 1),
      waitingToReturn: round(mean(WAITING_TO_RETURN), 1),
    },
    idealRatio: {
      sliding: round(slidingMakespan(work, window) / lowerBoundMs, 3),
      fixed: round(fixedMakespan(work, window) / lowerBoundMs, 3),
    },
    targetHealthSeconds: healthMs / 1000,
    drainSeconds: round((span.end - span.lastStart) / 1000, 1),
    slowestInstanceSeconds: round(times.slowestWorkMs / 1000, 1),
    maxOutOfService: times.maxOut,
    pollIntervalMs,
    gapMs: options.gapMs ?? DEFAULT_POLL_GAP_MS,
    throttlePercent: options.throttlePercent ?? 0,
    ...(options.series ? {occupancy: occupancy(times.outSeries, span.first, span.end)} : {}),
  }
}

function workInPlanOrder(times: FleetTimes, order: string[]): number[] {
  const slot = new Map(times.ids.map((id, i) => [id, i]))
  const phases = [ENTERING, CHANGING, RETURNING]
  return order.map((id) => {
    const i = slot.get(id)
    return i === undefined ? 0 : phases.reduce((sum, p) => sum + times.perInstance[p]![i]!, 0)
  })
}

/** Greedy list scheduling: each instance starts the moment a place in the window is free. */
function slidingMakespan(work: number[], window: number): number {
  const free = new MinHeap()
  for (let i = 0; i < window; i++) free.push(0)
  let end = 0
  for (const w of work) {
    const finish = free.pop() + w
    end = Math.max(end, finish)
    free.push(finish)
  }
  return end
}

/** Batches of `window`: each starts when the slowest of the one before is done. */
function fixedMakespan(work: number[], window: number): number {
  let end = 0
  for (let i = 0; i < work.length; i += window) end += Math.max(...work.slice(i, i + window))
  return end
}

class MinHeap {
  private readonly items: number[] = []
  push(value: number): void {
    const a = this.items
    a.push(value)
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1
      if (a[parent]! <= a[i]!) break
      ;[a[parent], a[i]] = [a[i]!, a[parent]!]
      i = parent
    }
  }
  pop(): number {
    const a = this.items
    const top = a[0]!
    const last = a.pop()!
    if (a.length > 0) {
      a[0] = last
      for (let i = 0; ; ) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && a[l]! < a[m]!) m = l
        if (r < a.length && a[r]! < a[m]!) m = r
        if (m === i) break
        ;[a[m], a[i]] = [a[i]!, a[m]!]
        i = m
      }
    }
    return top
  }
}

/** The step function's value at `t`: the last look at or before it. */
function outAt(series: [number, number][], t: number): number {
  let value = 0
  for (const [at, out] of series) {
    if (at > t) break
    value = out
  }
  return value
}

/** Integral of the window's free places (window - out, never below 0) over [from, to), in ms. */
function emptyPlaces(series: [number, number][], window: number, from: number, to: number): number {
  let sum = 0
  let current = outAt(series, from)
  let at = from
  for (const [t, out] of series) {
    if (t <= from) continue
    if (t >= to) break
    sum += Math.max(0, window - current) * (t - at)
    at = t
    current = out
  }
  return sum + Math.max(0, window - current) * (to - at)
}

function occupancy(series: [number, number][], from: number, to: number): [number, number][] {
  const points: [number, number][] = []
  for (let t = from; t <= to; t += 10_000) points.push([(t - from) / 1000, outAt(series, t)])
  return points
}

/**
 * From the first instance the release sent to Standby to the last it saw back in service (virtual
 * ms), read through the engine's own reader of the journal.
 */
async function changeSpan(project: BenchWorkspace, releaseId: string): Promise<{ms: number; first: number; lastStart: number; end: number; order: string[]; doneAt: number[]}> {
  const records = await new JournalInstanceLog(project.ws.store, releaseId, project.ws.now).load()
  const order: string[] = []
  let first = Number.POSITIVE_INFINITY
  let lastStart = Number.NEGATIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  const doneAt: number[] = []
  for (const r of records) {
    if (r.pass !== 'forward') continue
    if (r.phase === 'planned') order[r.order ?? order.length] = r.instanceId
    if (r.phase === 'enteringStandby') {
      first = Math.min(first, r.at)
      lastStart = Math.max(lastStart, r.at)
    }
    if (r.phase === 'done') {
      last = Math.max(last, r.at)
      doneAt.push(r.at)
    }
  }
  if (!(last > first)) throw new Error(`the journal of ${releaseId} (${project.ws.config.stateDir}) has no change span`)
  return {ms: last - first, first, lastStart, end: last, order: order.filter((id) => id !== undefined), doneAt}
}

/**
 * The release with another poll interval: settingsFor (src/app/kinds/incremental.ts) fixes it to
 * WINDOW_POLL_INTERVAL_MS, so the app's own pieces are put together here as drive() does, with the
 * settings changed: same preflight, input, steps, journal and persisted machine.
 */
async function runWithPollInterval(project: BenchWorkspace, sim: SimAccount, target: IncrementalTargetConfig, pollIntervalMs: number, poll: {gapMs?: number}) {
  const {ws} = project
  const runner = incrementalRunner(target)
  const account = await openAccount(ws.config, {sim})
  await runner.preflight(account, VERSION)
  const record = await ws.ledger.begin(target.name, {version: VERSION, strategy: 'incremental', kind: 'rollout'})
  const deps = incrementalDeps(account, target, () => undefined)
  const machine = incrementalStrategy({...deps, settings: {...deps.settings, pollIntervalMs, poll}}, new JournalInstanceLog(ws.store, record.id, ws.now))
  const result = await runPersisted({
    machine,
    input: await runner.input(ws, record),
    releaseId: record.id,
    store: ws.store,
    machineVersion: runner.machineVersion,
    now: ws.now,
    onTransition: async (state, context) => {
      await ws.ledger.update(target.name, record.id, {state, details: runner.details(context)})
    },
  })
  const outcome = result.status === 'error' ? 'failed' : result.state === 'succeeded' ? 'succeeded' : result.state
  await ws.ledger.finish(target.name, record.id, {state: result.state, outcome: outcome === 'succeeded' ? 'succeeded' : 'failed', message: '', details: runner.details(result.context)})
  return {releaseId: record.id, outcome: `${outcome}: ${String((result.error as Error | undefined)?.message ?? '')}`}
}

export function frontierOf(record: IncrementalRecord): FrontierRecord {
  return {
    case: 'poll-frontier',
    n: record.n,
    maxUnavailable: record.maxUnavailable,
    seed: record.seed,
    pollIntervalMs: record.pollIntervalMs,
    gapMs: record.gapMs,
    ratioToLowerBound: record.ratioToLowerBound,
    apiCallsPerInstance: record.apiCallsPerInstance,
    idlePerInstanceSeconds: round(record.perInstanceMeanSeconds.waitingToChange + record.perInstanceMeanSeconds.waitingToReturn, 1),
    emptyWhileQueuedShare: record.windowShares.emptyWhileQueued,
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const pollText = option('poll-ms')
  const gapText = option('gap-ms')
  const throttleText = option('throttle')
  const record = await runIncremental({
    n: numberOption('n'),
    maxUnavailable: numberOption('max-unavailable', 10),
    policy: (option('policy') ?? 'sliding') as Policy,
    seed: numberOption('seed', 1),
    series: process.argv.includes('--series'),
    keep: process.argv.includes('--keep'),
    ...(pollText === undefined ? {} : {pollMs: Number(pollText)}),
    ...(gapText === undefined ? {} : {gapMs: Number(gapText)}),
    ...(throttleText === undefined ? {} : {throttlePercent: Number(throttleText)}),
  })
  console.log(`RECORD ${JSON.stringify(record)}`)
}
