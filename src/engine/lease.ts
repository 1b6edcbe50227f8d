import {createHash} from 'node:crypto'
import os from 'node:os'
import {UserError} from '../errors.js'
import {EXIT} from '../ports/release.js'
import type {StateStore} from '../ports/store.js'
import {corruptState, iso, keys, segment} from './keys.js'

/** What `locks/<target>.json` holds. */
export interface LeaseRecord {
  target: string
  /** `user@host pid N` */
  holder: string
  host: string
  pid: number
  releaseId: string
  since: string
  expires: string
}

/** A held lease. Renew it well before `expires` while the release runs; release it when done. */
export interface Lease {
  readonly target: string
  readonly releaseId: string
  /** As last written by us. */
  readonly record: LeaseRecord
  /** Extends the expiry by the lease's ttl from now; false (and nothing written) when it is no longer ours. */
  renew(): Promise<boolean>
  /** Removes the lease if it is still ours; false when it was not (taken over or force-unlocked). */
  release(): Promise<boolean>
}

export interface AcquireOptions {
  releaseId: string
  ttlMs: number
  now: () => number
  /** Who and where we are; defaults to this process (tests pass others). */
  identity?: {user?: string; host?: string; pid?: number}
  /** Whether a pid on this host is alive; defaults to process.kill(pid, 0). */
  isAlive?: (pid: number) => boolean
}

/** The target is held by another release. Exit code 4. */
export class LockedError extends UserError {
  constructor(readonly lease: LeaseRecord) {
    super(
      'E_LOCKED',
      `target ${lease.target} is locked by ${lease.holder} for release ${lease.releaseId} since ${lease.since} (lease expires ${lease.expires})`,
      `Wait for release ${lease.releaseId} to finish (release status ${lease.target}), or, if its holder is gone, run: release unlock ${lease.target} --force`,
      EXIT.locked,
    )
  }
}

const ATTEMPTS = 5

/**
 * Takes the target's lease with an exclusive create. A lease that has expired, or whose holder ran on
 * this host and is gone, is taken over; two processes taking over the same stale lease cannot both
 * win (see takeOver).
 */
export async function acquireLease(store: StateStore, target: string, opts: AcquireOptions): Promise<Lease> {
  segment('target', target)
  const key = keys.lease(target)
  const me = identity(opts.identity)
  const isAlive = opts.isAlive ?? pidAlive
  const fresh = (): LeaseRecord => {
    const at = opts.now()
    return {target, holder: me.holder, host: me.host, pid: me.pid, releaseId: opts.releaseId, since: iso(at), expires: iso(at + opts.ttlMs)}
  }

  let last: LeaseRecord | undefined
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const record = fresh()
    const text = serialize(record)
    if (await store.createExclusive(key, text)) return new HeldLease(store, key, record, text, opts)

    const existingText = await store.read(key)
    if (existingText === undefined) continue // released meanwhile: try again
    const existing = parseLease(store, key, existingText)
    last = existing
    if (!isStale(existing, opts.now(), me.host, isAlive)) throw new LockedError(existing)
    if (await takeOver(store, key, existingText, text)) return new HeldLease(store, key, record, text, opts)
  }
  // Still contended after several rounds: someone else is taking it over right now.
  throw new LockedError(last ?? fresh())
}

/**
 * Replaces a stale lease. Whoever creates the takeover marker named after the stale lease's content
 * is the only one allowed to remove it; the winner checks the lease is still that stale one before
 * removing it, and creates ours exclusively, so a fresh lease written in between is never removed.
 */
async function takeOver(store: StateStore, key: string, staleText: string, ourText: string): Promise<boolean> {
  const marker = takeoverKey(key, staleText)
  if (!(await store.createExclusive(marker, ourText))) return false
  try {
    if ((await store.read(key)) !== staleText) return false
    await store.remove(key)
    return await store.createExclusive(key, ourText)
  } finally {
    await store.remove(marker)
  }
}

function takeoverKey(key: string, staleText: string): string {
  return `${key.replace(/\.json$/, '')}.takeover-${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`
}

class HeldLease implements Lease {
  constructor(
    private readonly store: StateStore,
    private readonly key: string,
    public record: LeaseRecord,
    private text: string,
    private readonly opts: AcquireOptions,
  ) {}

  get target(): string {
    return this.record.target
  }
  get releaseId(): string {
    return this.record.releaseId
  }

  async renew(): Promise<boolean> {
    if ((await this.store.read(this.key)) !== this.text) return false
    const record = {...this.record, expires: iso(this.opts.now() + this.opts.ttlMs)}
    const text = serialize(record)
    await this.store.writeAtomic(this.key, text)
    this.record = record
    this.text = text
    return true
  }

  async release(): Promise<boolean> {
    if ((await this.store.read(this.key)) !== this.text) return false
    await this.store.remove(this.key)
    return true
  }
}

/** Every lease held now, expired ones included, by target. */
export async function listLeases(store: StateStore): Promise<LeaseRecord[]> {
  const names = (await store.list('locks')).filter((name) => name.endsWith('.json'))
  const leases = await Promise.all(
    names.map(async (name) => {
      const key = `locks/${name}`
      const text = await store.read(key)
      return text === undefined ? undefined : parseLease(store, key, text)
    }),
  )
  return leases.filter((lease): lease is LeaseRecord => lease !== undefined).sort((a, b) => a.target.localeCompare(b.target))
}

/** Reads a target's lease; undefined when the target is not locked. */
export async function readLease(store: StateStore, target: string): Promise<LeaseRecord | undefined> {
  const key = keys.lease(target)
  const text = await store.read(key)
  return text === undefined ? undefined : parseLease(store, key, text)
}

/** `release unlock <target> --force`: removes the lease whoever holds it; returns what was removed. */
export async function forceUnlock(store: StateStore, target: string): Promise<LeaseRecord | undefined> {
  const key = keys.lease(target)
  const text = await store.read(key)
  let removed: LeaseRecord | undefined
  if (text !== undefined) {
    try {
      removed = parseLease(store, key, text)
    } catch {
      // a damaged lease is exactly what --force is for
    }
    await store.remove(key)
  }
  // Markers left by a taker that crashed mid-takeover would otherwise block every later takeover.
  const prefix = `${target}.takeover-`
  for (const name of await store.list('locks')) {
    if (name.startsWith(prefix)) await store.remove(`locks/${name}`)
  }
  return removed
}

/** Expired, or held by a process of this host that no longer runs. */
export function isStale(lease: LeaseRecord, now: number, host = os.hostname(), isAlive: (pid: number) => boolean = pidAlive): boolean {
  const expires = Date.parse(lease.expires)
  if (!Number.isFinite(expires) || expires <= now) return true
  return lease.host === host && !isAlive(lease.pid)
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as {code?: string}).code === 'EPERM'
  }
}

function identity(given: AcquireOptions['identity'] = {}): {holder: string; host: string; pid: number} {
  const host = given.host ?? os.hostname()
  const pid = given.pid ?? process.pid
  let user = given.user
  if (user === undefined) {
    try {
      user = os.userInfo().username
    } catch {
      user = process.env.USER ?? process.env.USERNAME ?? 'unknown'
    }
  }
  return {holder: `${user}@${host} pid ${pid}`, host, pid}
}

function serialize(record: LeaseRecord): string {
  return JSON.stringify(record, null, 2) + '\n'
}

function parseLease(store: StateStore, key: string, text: string): LeaseRecord {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw leaseCorrupt(store, key, `the lease is not valid JSON (${(error as Error).message})`)
  }
  const r = value as Partial<LeaseRecord> | null
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.target !== 'string' ||
    typeof r.holder !== 'string' ||
    typeof r.host !== 'string' ||
    typeof r.pid !== 'number' ||
    typeof r.releaseId !== 'string' ||
    typeof r.since !== 'string' ||
    typeof r.expires !== 'string'
  ) {
    throw leaseCorrupt(store, key, 'the lease lacks target, holder, host, pid, releaseId, since or expires')
  }
  return r as LeaseRecord
}

function leaseCorrupt(store: StateStore, key: string, problem: string): UserError {
  const target = key.replace(/^locks\//, '').replace(/\.json$/, '')
  const error = corruptState(store, key, problem)
  return new UserError(error.code, error.message, `If no release of ${target} is running, run: release unlock ${target} --force`, EXIT.locked)
}
