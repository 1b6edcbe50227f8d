/**
 * `npm run bench [-- --quick]`: runs the benchmarks, prints their figures, writes bench/results.json
 * (one record per case) and regenerates docs/benchmarks.md with its charts (docs/benchmarks/*.svg).
 *
 *   --quick            a reduced set (one seed, N up to 1,000, 5 CLI runs): under a minute
 *   --only a,b         only these groups: immutable, incremental, targets, frontier, throttle, rollback, state, cli
 *                      (results.json and the docs then hold only them)
 *   --seeds 1,2,3      the seeds (default 1,2,3; 1 with --quick)
 *
 * `targets` runs the four cases of issue 12's targets (N=1,000 and 10,000 at 10% and 25%, sliding) on
 * every seed, those the incremental group did not run already; at the end the bench prints, per seed,
 * the calls per instance and ratios of every target case and a PASS/FAIL line per target.
 *   --report-only      regenerate docs/benchmarks.md from the existing bench/results.json
 *   --large-seeds k    N=10,000 runs only the first k seeds (a full run under a time limit)
 *
 * Each incremental rollout runs in its own process (`node dist/bench/incremental.js --n ...`), so
 * that its peak RSS and CPU time are its own.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {cpus, totalmem, type as osType, release as osRelease} from 'node:os'
import {join, resolve} from 'node:path'
import {benchCliStartup} from './cli-startup.js'
import {benchImmutableRollback} from './immutable-rollback.js'
import {benchImmutableRollout} from './immutable-rollout.js'
import {frontierOf, type IncrementalRecord, type Policy} from './incremental.js'
import {DEFAULT_POLL_GAP_MS} from '../strategies/incremental/window.js'
import {flag, option} from './lib/args.js'
import {writeReport, type MachineRecord} from './report.js'
import {printTargets, TARGET_CASES} from './targets.js'
import {benchStateBackends} from './state-backends.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const REPO = resolve(import.meta.dirname, '../..')
const RESULTS = join(REPO, 'bench/results.json')

const quick = flag('quick')
const groups = new Set((option('only') ?? 'immutable,incremental,targets,frontier,throttle,rollback,state,cli').split(','))

if (flag('report-only')) {
  writeReport(JSON.parse(readFileSync(RESULTS, 'utf8')) as Parameters<typeof writeReport>[0], REPO)
  process.exit(0)
}

const started = performance.now()
const seeds = option('seeds')?.split(',').map(Number) ?? (quick ? [1] : [1, 2, 3])
const sizes = quick ? [10, 100, 1_000] : [10, 100, 1_000, 10_000]
const windows = [10, 25]
const policies: Policy[] = ['sliding', 'fixed']
const largeSeeds = Number(option('large-seeds') ?? seeds.length)
/** The look planner's gap between full looks (ms, for a window of 100): the frontier's settings, the default among them. */
const gaps = [...new Set([10_000, 20_000, DEFAULT_POLL_GAP_MS, 40_000, 60_000, 90_000])].sort((a, b) => a - b)

const records: {case: string}[] = [machine()]

if (groups.has('immutable')) records.push(...(await benchImmutableRollout(quick ? [10] : [10, 50])))

if (groups.has('incremental')) {
  for (const seed of seeds) {
    for (const n of sizes) {
      if (n >= 10_000 && seeds.indexOf(seed) >= largeSeeds) continue
      for (const maxUnavailable of windows) {
        for (const policy of policies) {
          const series = n === 1_000 && seed === seeds[0]
          const record = child(['--n', String(n), '--max-unavailable', String(maxUnavailable), '--policy', policy, '--seed', String(seed), ...(series ? ['--series'] : [])])
          console.log(
            `incremental n=${String(n).padStart(5)} ${String(maxUnavailable).padStart(2)}% ${policy.padEnd(7)} seed=${seed}  ` +
              `x${record.ratioToLowerBound.toFixed(3)} of bound (${record.rolloutSeconds} s / ${record.lowerBoundSeconds} s)  ` +
              `${record.apiCallsPerInstance.toFixed(3)} calls/inst  ${Math.round(record.persistedBytesPerInstance)} B/inst  ` +
              `${record.peakRssMb} MB  ${record.cpuMs} ms cpu  ${record.wallMs} ms wall`,
          )
          records.push(record)
        }
      }
    }
  }
}

if (groups.has('targets')) {
  for (const seed of seeds) {
    for (const {n, maxUnavailable} of TARGET_CASES) {
      const done = records.some((r) => r.case === 'incremental' && (r as IncrementalRecord).policy === 'sliding' && (r as IncrementalRecord).seed === seed && (r as IncrementalRecord).n === n && (r as IncrementalRecord).maxUnavailable === maxUnavailable)
      if (done) continue
      const record = child(['--n', String(n), '--max-unavailable', String(maxUnavailable), '--policy', 'sliding', '--seed', String(seed)])
      console.log(`target case n=${String(n).padStart(5)} ${maxUnavailable}% seed=${seed}  x${record.ratioToLowerBound.toFixed(3)} of bound, x${(record.ratioToLowerBound / record.idealRatio.sliding).toFixed(3)} of ideal  ${record.apiCallsPerInstance.toFixed(3)} calls/inst  ${record.wallMs} ms wall`)
      records.push(record)
    }
  }
}

if (groups.has('frontier')) {
  for (const seed of seeds) {
    for (const gapMs of quick ? [20_000, DEFAULT_POLL_GAP_MS, 60_000] : gaps) {
      const record = frontierOf(child(['--n', '1000', '--max-unavailable', '10', '--policy', 'sliding', '--seed', String(seed), '--gap-ms', String(gapMs)]))
      console.log(
        `poll frontier gap ${String(gapMs / 1000).padStart(3)} s${gapMs === DEFAULT_POLL_GAP_MS ? ' (default)' : '          '}  seed=${seed}  x${record.ratioToLowerBound.toFixed(3)} of bound  ${record.apiCallsPerInstance.toFixed(3)} calls/inst  ` +
          `${record.idlePerInstanceSeconds} s idle in Standby per instance`,
      )
      records.push(record)
    }
  }
}

// Throttling at 20% of calls on every service: the same rollouts as unthrottled (N=1,000, 10%).
if (groups.has('throttle')) {
  for (const seed of seeds) {
    const calm = child(['--n', '1000', '--max-unavailable', '10', '--policy', 'sliding', '--seed', String(seed)])
    const throttled = child(['--n', '1000', '--max-unavailable', '10', '--policy', 'sliding', '--seed', String(seed), '--throttle', '20'])
    const record = {case: 'throttle', seed, n: 1000, maxUnavailable: 10, throttlePercent: 20, calmSeconds: calm.rolloutSeconds, throttledSeconds: throttled.rolloutSeconds, ratio: Math.round((throttled.rolloutSeconds / calm.rolloutSeconds) * 1000) / 1000, throttledCalls: throttled.throttled, calmCallsPerInstance: calm.apiCallsPerInstance, throttledCallsPerInstance: throttled.apiCallsPerInstance}
    console.log(`throttle 20% seed=${seed}  ${record.throttledSeconds} s against ${record.calmSeconds} s unthrottled: x${record.ratio}  (${record.throttledCalls} calls throttled)`)
    records.push(record)
  }
}

if (groups.has('rollback')) records.push(...(await benchImmutableRollback(seeds)))

if (groups.has('state')) {
  for (const record of await benchStateBackends(quick ? [1_000] : [1_000, 10_000])) {
    console.log(
      `state n=${String(record.n).padStart(5)}  dynamodb ${record.dynamoCallsPerInstance.toFixed(3)} calls/inst ${JSON.stringify(record.dynamoCallsByName)}  ` +
        `${Math.round(record.dynamoBytesWrittenPerInstance)} B/inst written (file ${Math.round(record.fileBytesWrittenPerInstance)})  ` +
        `wall x${record.wallRatio} of file (${record.dynamoWallMs} / ${record.fileWallMs} ms)  cpu x${record.cpuRatio}  status x${record.statusRatio} (${record.statusDynamoMs} / ${record.statusFileMs} ms)`,
    )
    records.push(record)
  }
}

// Last and alone: start-up times are the most sensitive to other load.
if (groups.has('cli')) records.push(...benchCliStartup(quick ? 5 : 15))

// With --only, the other groups' records of the last run are kept (read now, so that two runs of
// different groups or seeds side by side both land), and a case run again replaces its old record.
// The window's own records are kept only from a run of the same commit: older ones measured other code.
const previous = option('only') === undefined ? [] : previousRecords()
const thisCommit = (records[0] as MachineRecord).commit
const sameCommit = thisCommit !== '' && (previous.find((r) => r.case === 'machine') as MachineRecord | undefined)?.commit === thisCommit
const windowCases = new Set(['incremental', 'poll-frontier', 'throttle'])
const kept = previous.filter((old) => old.case !== 'machine' && (sameCommit || !windowCases.has(old.case)) && !records.some((r) => sameCase(r, old)))
records.push(...kept)
printTargets(records)
writeFileSync(RESULTS, JSON.stringify(records, null, 2) + '\n')
console.log(`wrote ${RESULTS}`)
writeReport(records, REPO)
console.log(`bench done in ${((performance.now() - started) / 1000).toFixed(1)} s`)

function previousRecords(): {case: string}[] {
  try {
    return JSON.parse(readFileSync(RESULTS, 'utf8')) as {case: string}[]
  } catch {
    return []
  }
}

/** The same case of a benchmark: the same kind, size, window, policy, seed and settings. */
function sameCase(a: {case: string}, b: {case: string}): boolean {
  const key = (r: {case: string}) => {
    const {case: kind, n, maxUnavailable, policy, seed, gapMs, throttlePercent, command, backend, when} = r as Record<string, unknown>
    return JSON.stringify([kind, n, maxUnavailable, policy, seed, gapMs, throttlePercent, command, backend, when])
  }
  return key(a) === key(b)
}

/** One incremental rollout in its own process; its record is the line starting RECORD. */
function child(args: string[]): IncrementalRecord {
  const run = spawnSync(process.execPath, [join(import.meta.dirname, 'incremental.js'), ...args], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  const line = run.stdout.split('\n').find((l) => l.startsWith('RECORD '))
  if (run.status !== 0 || !line) throw new Error(`bench child ${args.join(' ')} failed (exit ${run.status}):\n${run.stderr}`)
  return JSON.parse(line.slice('RECORD '.length)) as IncrementalRecord
}

function machine(): MachineRecord {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, {cwd: REPO, encoding: 'utf8'}).trim()
    } catch {
      return ''
    }
  }
  return {
    case: 'machine',
    date: new Date().toISOString(),
    quick,
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    os: `${osType()} ${osRelease()}`,
    node: process.version,
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommittedChanges: git('status', '--porcelain').length > 0,
  }
}
