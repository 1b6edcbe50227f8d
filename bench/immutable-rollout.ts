/**
 * How long an immutable rollout takes in wall time on the simulated account (virtual clock), for a few
 * fleet sizes: the sim and the orchestration must stay cheap enough that tests and CI run at full
 * speed. Prints one line per size and returns the records for bench/results.json.
 */
import {mkdtempSync, writeFileSync, copyFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {rollout} from '../src/app/release.js'
import {openWorkspace} from '../src/app/workspace.js'
import {SimAccount} from '../src/sim/index.js'
import {VirtualClock} from '../src/util/clock.js'

const quickstart = resolve(import.meta.dirname, '../../examples/quickstart')

async function project(capacity: number) {
  const dir = mkdtempSync(join(tmpdir(), 'release-bench-'))
  copyFileSync(join(quickstart, 'web.yml'), join(dir, 'web.yml'))
  writeFileSync(
    join(dir, 'release.yml'),
    `targets:
  web:
    strategy: immutable
    template: web.yml
    parameters: {DesiredCapacity: ${capacity}}
    trafficSources: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09']
    bake: 2m
`,
  )
  return openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
}

export interface ImmutableRolloutRecord {
  case: 'immutable-rollout'
  n: number
  wallMs: number
  virtualSeconds: number
}

export async function benchImmutableRollout(sizes: number[]): Promise<ImmutableRolloutRecord[]> {
  const records: ImmutableRolloutRecord[] = []
  for (const n of sizes) {
    const ws = await project(n)
    const clock = new VirtualClock()
    // The account must have the target group the template names (the preflight checks it).
    const sim = SimAccount.open({clock, seed: 11, targetGroups: {'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09': {}}})
    const startVirtual = clock.now()
    const start = performance.now()
    // Two releases: the first has no old group; the second shifts traffic and retires the first.
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const result = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    const wallMs = (performance.now() - start) / 2
    if (result.outcome !== 'succeeded') throw new Error(`bench rollout of ${n} instances ended ${result.outcome}: ${result.message}`)
    const record: ImmutableRolloutRecord = {
      case: 'immutable-rollout',
      n,
      wallMs: Math.round(wallMs * 10) / 10,
      virtualSeconds: Math.round((clock.now() - startVirtual) / 2000),
    }
    console.log(`immutable rollout  n=${String(n).padStart(4)}  ${record.wallMs.toFixed(1).padStart(7)} ms wall  ${record.virtualSeconds} s virtual`)
    records.push(record)
  }
  return records
}
