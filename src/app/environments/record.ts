/**
 * The record of an on-demand environment, kept in the shared state (`ondemand/<name>.json`, beside
 * `envs/<name>/`): written before anything is made in the account, so that every stack made for it is
 * owned by a record (its name carries the environment), and removed only once every stack is gone.
 */
import {UserError} from '../../errors.js'
import {corruptState, parseStateJson} from '../../engine/keys.js'
import type {EnvironmentTarget} from '../../../machines/environment.js'
import type {StateStore} from '../../ports/store.js'

export type EnvironmentPhase = 'creating' | 'ready' | 'failed' | 'destroying'

export interface OnDemandEnvironment {
  name: string
  /** The environment it was copied from. */
  source: string
  /** Who made it (user@host). */
  owner: string
  region: string
  createdAt: string
  expiresAt: string
  phase: EnvironmentPhase
  targets: EnvironmentTarget[]
  /** The Auto Scaling group made for an incremental target's copy (from its template's stack). */
  fleets?: Record<string, string>
  message?: string
}

const PREFIX = 'ondemand'
const keyOf = (name: string) => `${PREFIX}/${name}.json`

export async function readRecord(store: StateStore, name: string): Promise<{record: OnDemandEnvironment; text: string} | undefined> {
  const key = keyOf(name)
  const text = await store.read(key)
  if (text === undefined) return undefined
  const value = parseStateJson(store, key, text, 'the environment record') as Partial<OnDemandEnvironment> | null
  if (!value || typeof value.name !== 'string' || typeof value.source !== 'string' || !Array.isArray(value.targets) || typeof value.expiresAt !== 'string') {
    throw corruptState(store, key, 'the environment record lacks name, source, targets or expiresAt')
  }
  return {record: value as OnDemandEnvironment, text}
}

export async function listRecords(store: StateStore): Promise<OnDemandEnvironment[]> {
  const names = (await store.list(PREFIX)).filter((k) => k.endsWith('.json')).map((k) => k.slice(0, -'.json'.length))
  const records = await Promise.all(names.map(async (n) => (await readRecord(store, n))?.record))
  return records.filter((r): r is OnDemandEnvironment => r !== undefined).sort((a, b) => a.name.localeCompare(b.name))
}

/** Creates the record only if no environment of that name exists: of two `env create`, one wins. */
export async function createRecord(store: StateStore, record: OnDemandEnvironment): Promise<boolean> {
  return store.createExclusive(keyOf(record.name), JSON.stringify(record, null, 2) + '\n')
}

/** Changes the record by compare-and-set, retried on a concurrent change (extend vs destroy). */
export async function changeRecord(store: StateStore, name: string, change: (record: OnDemandEnvironment) => OnDemandEnvironment): Promise<OnDemandEnvironment> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await readRecord(store, name)
    if (!current) throw new UserError('E_UNKNOWN_ENV', `environment ${name} no longer exists`, 'See release env list.', 2)
    const next = change(structuredClone(current.record))
    if (await store.compareAndSet(keyOf(name), current.text, JSON.stringify(next, null, 2) + '\n')) return next
  }
  throw new Error(`the record of environment ${name} kept changing under us`)
}

export async function removeRecord(store: StateStore, name: string): Promise<void> {
  await store.remove(keyOf(name))
}
