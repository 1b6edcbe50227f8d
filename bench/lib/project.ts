/**
 * Throw-away projects for the benchmarks: release.yml in a temp directory with its state directory
 * beside it, opened with a store that counts the bytes it writes, on an in-memory simulated account.
 */
import {mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative, resolve} from 'node:path'
import type {Workspace} from '../../src/app/workspace.js'
import {loadConfig} from '../../src/config/index.js'
import {Ledger} from '../../src/engine/ledger.js'
import type {Fence, StateStore} from '../../src/ports/store.js'
import {FileStateStore} from '../../src/store/file.js'

export const QUICKSTART = resolve(import.meta.dirname, '../../../examples/quickstart')
export const API_SOURCE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/3f1c5e0b9a7d2c41'

/** Per-instance apply+verify time of the benchmarks: log-normal, median 90 s, p95 160 s. */
export const COMMAND_LATENCY = {medianMs: 90_000, p95Ms: 160_000}

/** Bytes handed to the store, by kind of write: what a rollout costs the disk, rewrites included. */
export class CountingStore implements StateStore {
  written = {atomic: 0, appended: 0, created: 0}
  constructor(private readonly inner: StateStore) {}
  get location(): string {
    return this.inner.location
  }
  read(key: string) {
    return this.inner.read(key)
  }
  writeAtomic(key: string, data: string, fence?: Fence) {
    this.written.atomic += Buffer.byteLength(data)
    return this.inner.writeAtomic(key, data, fence)
  }
  append(key: string, lines: string | readonly string[], fence?: Fence) {
    for (const line of typeof lines === 'string' ? [lines] : lines) this.written.appended += Buffer.byteLength(line) + 1
    return this.inner.append(key, lines, fence)
  }
  async appendIfAlone(key: string, lines: string | readonly string[], fence?: Fence): Promise<boolean> {
    const written = (await this.inner.appendIfAlone?.(key, lines, fence)) ?? false
    if (written) for (const line of typeof lines === 'string' ? [lines] : lines) this.written.appended += Buffer.byteLength(line) + 1
    return written
  }
  createExclusive(key: string, data: string) {
    this.written.created += Buffer.byteLength(data)
    return this.inner.createExclusive(key, data)
  }
  compareAndSet(key: string, expected: string | undefined, data: string, fence?: Fence) {
    this.written.atomic += Buffer.byteLength(data)
    return this.inner.compareAndSet(key, expected, data, fence)
  }
  remove(key: string, fence?: Fence) {
    return this.inner.remove(key, fence)
  }
  list(prefix: string) {
    return this.inner.list(prefix)
  }
  get total(): number {
    return this.written.atomic + this.written.appended + this.written.created
  }
}

export interface BenchWorkspace {
  dir: string
  ws: Workspace
  store: CountingStore
}

/** Writes `release.yml` (and any other files) into a fresh temp directory and opens it. */
export async function openProject(files: Record<string, string>): Promise<BenchWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), 'release-bench-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const config = await loadConfig(join(dir, 'release.yml'), {cwd: dir})
  const store = new CountingStore(new FileStateStore(config.stateDir))
  const now = () => Date.now()
  return {dir, ws: {config, store, ledger: new Ledger(store, now), now}, store}
}

export interface IncrementalProjectOptions {
  maxUnavailablePercent: number
  canary?: number
  bake?: string
}

/** One incremental target `api` over the seeded group `api-fleet` (the quickstart's, without its canary). */
export function incrementalYaml(options: IncrementalProjectOptions): string {
  return `targets:
  api:
    strategy: incremental
    fleet: {group: api-fleet}
    change:
      apply: ['release-sim set-version {{version}}']
      verify: ['release-sim check']
      current: ['release-sim get-version']
    maxUnavailable: ${options.maxUnavailablePercent}%
    canary: ${options.canary ?? 0}
    maxErrors: 0
    bake: ${options.bake ?? '1m'}
`
}

export interface StateBytes {
  snapshot: number
  journal: number
  /** The journal's bytes by entry type: instance records, progress lines (one per poll), transitions. */
  journalByType: Record<string, number>
  ledger: number
  other: number
  total: number
}

/** Sizes of the files under a state directory, by kind (the simulated account's own files left out). */
export function stateBytes(stateDir: string): StateBytes {
  const sizes: StateBytes = {snapshot: 0, journal: 0, journalByType: {}, ledger: 0, other: 0, total: 0}
  const walk = (dir: string) => {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      return
    }
    for (const name of names) {
      const path = join(dir, name)
      const rel = relative(stateDir, path)
      if (rel === 'sim') continue
      const stat = statSync(path)
      if (stat.isDirectory()) {
        walk(path)
        continue
      }
      const kind = name === 'snapshot.json' ? 'snapshot' : name === 'journal.ndjson' ? 'journal' : name === 'ledger.json' ? 'ledger' : 'other'
      sizes[kind] += stat.size
      if (kind === 'journal') {
        for (const line of readFileSync(path, 'utf8').split('\n')) {
          if (line === '') continue
          const type = (JSON.parse(line) as {type?: string}).type ?? 'other'
          sizes.journalByType[type] = (sizes.journalByType[type] ?? 0) + Buffer.byteLength(line) + 1
        }
      }
      sizes.total += stat.size
    }
  }
  walk(stateDir)
  return sizes
}
