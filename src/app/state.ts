/**
 * `release state init` and `release state migrate`: the DynamoDB state table made ready, and an
 * existing file state (ledgers, releases, journals) copied into it.
 */
import {statSync} from 'node:fs'
import path from 'node:path'
import {UserError} from '../errors.js'
import {keys} from '../engine/keys.js'
import type {StateStore} from '../ports/store.js'
import type {DynamoStateStore} from '../aws/state-store.js'
import {environmentStore} from '../store/prefixed.js'
import {isReleaseIdOf, releaseIdPrefix} from '../engine/release-id.js'
import type {TableInit} from '../aws/state-table.js'
import {FileStateStore} from '../store/file.js'
import type {Workspace} from './workspace.js'
import {cli} from '../util/cli-context.js'

/**
 * The whole table release.yml names, opened from its state settings, or exit 2 when release.yml
 * keeps its state in files. Not ws.store: with environments that is one environment's keys within
 * the table (store/prefixed.ts), which is no table to create or describe.
 */
async function tableOf(ws: Workspace, command: string): Promise<DynamoStateStore> {
  const {state} = ws.whole ?? ws.config
  if (state.backend !== 'dynamodb') {
    throw new UserError(
      'E_STATE_BACKEND',
      `release ${command} works on a DynamoDB state table, and ${path.basename(ws.config.file)} keeps the state in files (${ws.config.stateDir})`,
      'Set state: {backend: dynamodb, table: NAME} in release.yml (see docs/config.md, State), then run it again.',
    )
  }
  const [{openDynamoStore}, {SystemClock}] = await Promise.all([import('../aws/state-store.js'), import('../util/clock.js')])
  return openDynamoStore({table: state.table, region: state.region, ...(state.endpoint !== undefined ? {endpoint: state.endpoint} : {}), clock: new SystemClock()})
}

export async function initState(ws: Workspace): Promise<TableInit> {
  const store = await tableOf(ws, 'state init')
  const [{initTable}, {SystemClock}] = await Promise.all([import('../aws/state-table.js'), import('../util/clock.js')])
  return initTable(store, new SystemClock())
}

export interface MigratedTarget {
  target: string
  /** `copied`: now in the table; `present`: the table already held exactly this ledger (a rerun). */
  status: 'copied' | 'present'
  releases: number
}

export interface Migration {
  from: string
  table: string
  targets: MigratedTarget[]
}

/**
 * Copies every target's releases (journals, snapshots) and then its ledger, the ledger last so that
 * a migration stopped half-way is completed by running it again. Refused, with nothing copied, when
 * the table already holds releases of a target that differ from the directory's.
 */
export async function migrateState(ws: Workspace, from: string): Promise<Migration> {
  const whole = await tableOf(ws, 'state migrate')
  const dir = path.resolve(cli().cwd, from)
  // With environments, one environment's state: its keys in the directory (envs/<env>/, as the file
  // backend keeps them) copied to its keys in the table, as the workspace's store reads them.
  const env = ws.config.environment
  const table = env === undefined ? whole : environmentStore(whole, env)
  const source = env === undefined ? sourceStore(dir) : environmentStore(sourceStore(dir), env)
  const targets = await targetsWithLedger(source)
  if (targets.length === 0) {
    const where = env === undefined ? 'targets/<target>/ledger.json' : `envs/${env}/targets/<target>/ledger.json: environment ${env}`
    throw new UserError('E_STATE_SOURCE', `${dir} holds no ledger (no ${where}): it is not a release state directory`, 'Name the stateDir of a project that has run releases (by default .release beside its release.yml); with environments, pick the environment with --env.')
  }
  const plans: {target: string; ledger: string; present: boolean; releases: string[]}[] = []
  for (const target of targets) {
    // targetsWithLedger listed it: a ledger that vanished since is a directory changed under the migration.
    const ledger = await source.read(keys.ledger(target))
    if (ledger === undefined) throw new Error(`${dir}: the ledger of ${target} disappeared while it was being migrated; run state migrate again`)
    const there = await table.read(keys.ledger(target))
    if (there !== undefined && there !== ledger && hasReleases(there)) {
      throw new UserError(
        'E_STATE_MIGRATE_CONFLICT',
        `the table ${whole.table} already holds releases of ${target} that differ from ${dir}: migrating would mix two histories; nothing was copied`,
        `Migrate into another table, or leave ${target} out of this one (move targets/${target} aside in a copy of ${dir}).`,
      )
    }
    // Ids as the ledger hands them out: staging-web-3 in environment staging.
    const releaseIds = (await source.list('releases')).filter((id) => isReleaseIdOf(releaseIdPrefix(ws.config), target, id))
    plans.push({target, ledger, present: there === ledger, releases: releaseIds})
  }
  const result: MigratedTarget[] = []
  for (const plan of plans) {
    if (!plan.present) {
      for (const id of plan.releases) await copyRelease(source, table, id)
      await table.writeAtomic(keys.ledger(plan.target), plan.ledger)
      await copyFenceCounter(source, table, plan.target)
    }
    result.push({target: plan.target, status: plan.present ? 'present' : 'copied', releases: plan.releases.length})
  }
  return {from: dir, table: whole.table, targets: result}
}

function sourceStore(dir: string): FileStateStore {
  const stats = statSync(dir, {throwIfNoEntry: false})
  if (!stats?.isDirectory()) {
    throw new UserError('E_STATE_SOURCE', `${dir} is not a directory: --from names the state directory to copy (stateDir, by default .release beside release.yml)`, 'Pass the path of that directory, e.g. --from .release.')
  }
  return new FileStateStore(dir)
}

async function targetsWithLedger(source: StateStore): Promise<string[]> {
  const names = await source.list('targets')
  const found = await Promise.all(names.map(async (name) => ((await source.list(`targets/${name}`)).includes('ledger.json') ? name : undefined)))
  return found.filter((name): name is string => name !== undefined)
}

function hasReleases(text: string): boolean {
  try {
    const releases = (JSON.parse(text) as {releases?: unknown}).releases
    return !Array.isArray(releases) || releases.length > 0
  } catch {
    // An unreadable ledger in the table is not ours to replace.
    return true
  }
}

/** Each file of the release: journals line by line (what a stopped copy left is completed), others whole. */
async function copyRelease(source: StateStore, table: StateStore, id: string): Promise<void> {
  for (const name of await source.list(`releases/${id}`)) {
    const key = `releases/${id}/${name}`
    const text = await source.read(key)
    if (text === undefined) continue
    const there = await table.read(key)
    if (there === text) continue
    if (name.endsWith('.ndjson')) {
      const copied = there ?? ''
      if (!text.startsWith(copied)) throw new UserError('E_STATE_MIGRATE_CONFLICT', `the table already holds a different ${key}; nothing more was copied`, 'Migrate into another table.')
      const lines = text.slice(copied.length).split('\n')
      // A last line without its newline was never finished: it is left out, as readers do.
      lines.pop()
      // A hundred lines a write: a copy stopped half-way leaves whole chunks, completed by the next run.
      for (let i = 0; i < lines.length; i += 100) await table.append(key, lines.slice(i, i + 100))
    } else {
      await table.writeAtomic(key, text)
    }
  }
}

/** Tokens handed out later must stay above every one handed out from the directory. */
async function copyFenceCounter(source: StateStore, table: StateStore, target: string): Promise<void> {
  const key = keys.fence(target)
  const mine = Number.parseInt((await source.read(key)) ?? '0', 10)
  const theirs = Number.parseInt((await table.read(key)) ?? '0', 10)
  if (Number.isSafeInteger(mine) && mine > (Number.isSafeInteger(theirs) ? theirs : 0)) await table.writeAtomic(key, `${mine}\n`)
}
