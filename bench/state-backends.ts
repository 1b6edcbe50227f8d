/**
 * The DynamoDB state backend against the file backend, in the same run: incremental rollouts of N
 * instances on the simulated account (10% window, canary 0) on each backend, the DynamoDB one against
 * dynalite over HTTP (in memory, started here in a process of its own, so that this process's wall
 * and CPU time are the client's alone, as against real DynamoDB). Figures: DynamoDB calls per
 * instance, bytes written per instance (request bodies of the writing calls), the rollout's wall and
 * CPU time against the file backend's, and `release status` through the CLI on each backend.
 *
 *   node dist/bench/state-backends.js --n 1000 [--rollouts 2]
 *
 * prints one JSON record per size on a line starting RECORD.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {rollout} from '../src/app/release.js'
import {Ledger} from '../src/engine/ledger.js'
import {openDynamoStore} from '../src/aws/state-store.js'
import {initTable} from '../src/aws/state-table.js'
import {SimAccount} from '../src/sim/index.js'
import {SystemClock, VirtualClock} from '../src/util/clock.js'
import {median, numberOption, round} from './lib/args.js'
import {spawnDynalite, type DynaliteProcess} from './lib/dynalite-process.js'
import {API_SOURCE, COMMAND_LATENCY, CountingStore, incrementalYaml, openProject} from './lib/project.js'

const REPO = resolve(import.meta.dirname, '../..')
const WRITES = new Set(['PutItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems', 'UpdateItem'])

export interface StateBackendRecord {
  case: 'state-backends'
  n: number
  dynamoCallsPerInstance: number
  dynamoCallsByName: Record<string, number>
  dynamoBytesWrittenPerInstance: number
  fileBytesWrittenPerInstance: number
  fileWallMs: number
  dynamoWallMs: number
  wallRatio: number
  /**
   * CPU time of this process during each rollout (dynalite's not included: it runs in a process of its
   * own): the overhead without the other load of a shared machine, which moves the wall times.
   */
  fileCpuMs: number
  dynamoCpuMs: number
  cpuRatio: number
  /**
   * CPU time of the dynalite process during the DynamoDB rollout (absent where /proc cannot tell):
   * the server's share of the wall time, which the client spends waiting for its answers.
   */
  dynaliteCpuMs?: number
  statusFileMs: number
  statusDynamoMs: number
  statusRatio: number
}

/** The working directories this benchmark made: removed when it ends, however it ends. */
const made: string[] = []

async function rolloutOn(n: number, backend: 'file' | 'dynamodb', dynalite: DynaliteProcess) {
  const {endpoint} = dynalite
  const project = await openProject({'release.yml': incrementalYaml({maxUnavailablePercent: 10})})
  made.push(project.dir)
  const counts: Record<string, number> = {}
  let bytes = 0
  let store = project.store
  let table: string | undefined
  if (backend === 'dynamodb') {
    table = `bench-${n}-${Date.now()}`
    const dynamo = openDynamoStore({table, region: 'us-east-1', endpoint, clock: new SystemClock(), env: {}})
    await initTable(dynamo, new SystemClock())
    dynamo.rawClient.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName).replace(/Command$/, '')
        counts[name] = (counts[name] ?? 0) + 1
        const body = (args.request as {body?: unknown}).body
        if (WRITES.has(name)) bytes += typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : 0
        return next(args)
      },
      {step: 'finalizeRequest', name: 'countCalls'},
    )
    store = new CountingStore(dynamo)
  }
  const now = () => Date.now()
  const ws = {...project.ws, store, ledger: new Ledger(store, now)}
  const clock = new VirtualClock()
  const sim = SimAccount.open({clock, seed: 1, faults: {}, fleets: {'api-fleet': {instances: n, version: '1.0.0', trafficSources: [API_SOURCE]}}, timings: {commandLatency: COMMAND_LATENCY}})
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  const serverBefore = dynalite.cpuMs()
  const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  const cpuMs = (cpu.user + cpu.system) / 1000
  const serverAfter = dynalite.cpuMs()
  const serverCpuMs = serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore
  if (result.outcome !== 'succeeded') throw new Error(`rollout of ${n} on ${backend} ended ${result.outcome}`)
  return {dir: project.dir, table, wallMs, cpuMs, serverCpuMs, counts, bytes, handed: store.total}
}

/** Wall time of one `release status api` through the CLI. */
async function statusOnce(cwd: string): Promise<number> {
  const started = performance.now()
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/run.js'), 'status', 'api'], {cwd, stdio: 'ignore', env: {...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'}})
    child.on('close', (c) => done(c ?? -1))
  })
  if (code !== 0) throw new Error(`release status exited ${code} in ${cwd}`)
  return performance.now() - started
}

/**
 * Median wall times of `release status api` in each directory, the runs alternating between them so
 * that a change in the machine's other load weighs on both alike.
 */
async function statusMs(dirs: {file: string; dynamo: string}, runs: number): Promise<{file: number; dynamo: number}> {
  const file: number[] = []
  const dynamo: number[] = []
  for (let i = 0; i < runs; i++) {
    file.push(await statusOnce(dirs.file))
    dynamo.push(await statusOnce(dirs.dynamo))
  }
  return {file: median(file), dynamo: median(dynamo)}
}

/**
 * `rollouts` of each backend, alternating (file, DynamoDB, file, ...): the figures of the DynamoDB
 * backend's first, and the shortest wall and CPU time of each backend (and dynalite's CPU time), the
 * least disturbed by the machine's other load.
 */
async function rolloutsOn(n: number, dynalite: DynaliteProcess, rollouts: number) {
  const runs: {file: Awaited<ReturnType<typeof rolloutOn>>; dynamo: Awaited<ReturnType<typeof rolloutOn>>}[] = []
  for (let i = 0; i < rollouts; i++) runs.push({file: await rolloutOn(n, 'file', dynalite), dynamo: await rolloutOn(n, 'dynamodb', dynalite)})
  const least = (pick: (run: (typeof runs)[number]) => number) => Math.min(...runs.map(pick))
  const [first] = runs
  if (!first) throw new Error('no rollout')
  return {
    file: {...first.file, wallMs: least((r) => r.file.wallMs), cpuMs: least((r) => r.file.cpuMs)},
    dynamo: {...first.dynamo, wallMs: least((r) => r.dynamo.wallMs), cpuMs: least((r) => r.dynamo.cpuMs), serverCpuMs: runs.some((r) => r.dynamo.serverCpuMs === undefined) ? undefined : least((r) => r.dynamo.serverCpuMs ?? 0)},
  }
}

export async function benchStateBackends(sizes: number[], statusRuns = 7, rollouts = 2): Promise<StateBackendRecord[]> {
  const dynalite = await spawnDynalite()
  const {endpoint} = dynalite
  const records: StateBackendRecord[] = []
  try {
    for (const n of sizes) {
      const {file, dynamo} = await rolloutsOn(n, dynalite, rollouts)
      // A second working directory on the same table: what a CI job's `release status` reads.
      const other = mkdtempSync(join(tmpdir(), 'release-bench-ddb-'))
      made.push(other)
      writeFileSync(join(other, 'release.yml'), `state: {backend: dynamodb, table: ${dynamo.table}, endpoint: '${endpoint}'}\n` + incrementalYaml({maxUnavailablePercent: 10}))
      const {file: statusFile, dynamo: statusDynamo} = await statusMs({file: file.dir, dynamo: other}, statusRuns)
      const calls = Object.values(dynamo.counts).reduce((a, b) => a + b, 0)
      records.push({
        case: 'state-backends',
        n,
        dynamoCallsPerInstance: round(calls / n, 3),
        dynamoCallsByName: Object.fromEntries(Object.entries(dynamo.counts).sort((a, b) => b[1] - a[1])),
        dynamoBytesWrittenPerInstance: round(dynamo.bytes / n, 1),
        fileBytesWrittenPerInstance: round(file.handed / n, 1),
        fileWallMs: Math.round(file.wallMs),
        dynamoWallMs: Math.round(dynamo.wallMs),
        wallRatio: round(dynamo.wallMs / file.wallMs, 2),
        fileCpuMs: Math.round(file.cpuMs),
        dynamoCpuMs: Math.round(dynamo.cpuMs),
        cpuRatio: round(dynamo.cpuMs / file.cpuMs, 2),
        ...(dynamo.serverCpuMs !== undefined ? {dynaliteCpuMs: Math.round(dynamo.serverCpuMs)} : {}),
        statusFileMs: Math.round(statusFile),
        statusDynamoMs: Math.round(statusDynamo),
        statusRatio: round(statusDynamo / statusFile, 2),
      })
    }
  } finally {
    await dynalite.stop()
    for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
  }
  return records
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  for (const record of await benchStateBackends([numberOption('n', 1_000)], 7, numberOption('rollouts', 2))) console.log(`RECORD ${JSON.stringify(record)}`)
}
