import os from 'node:os'
import {UserError} from '../errors.js'
import {isProcessAlive} from '../util/process.js'
import {EXIT} from '../ports/release.js'
import {FenceError, type Fence, type StateStore} from '../ports/store.js'
import {appendJournal} from './journal.js'
import {corruptState, iso, keys, segment} from './keys.js'
import {userName} from '../util/who.js'

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
  /**
   * The fencing token: larger than that of every earlier holder of this target's lease (a takeover
   * or a new acquisition gets a new one). Writes of a release carry it; once another holder has
   * the lease, the old holder's writes are refused.
   */
  token: number
}

/** A held lease. Renew it well before `expires` while the release runs; release it when done. */
export interface Lease {
  readonly target: string
  readonly releaseId: string
  /** As last written by us. */
  readonly record: LeaseRecord
  /** What every write of the holder carries: refused once the lease is no longer ours. */
  readonly fence: Fence
  /** Whether the lease stored now is still ours (same token); reads it. */
  isOurs(): Promise<boolean>
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
  /**
   * Whether a pid on this host is alive; defaults to src/util/process.ts (the signal alone would take a
   * zombie for a live holder).
   */
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

/**
 * The lease's holder lost it (it was stopped past its expiry and another process took the release
 * over, or someone ran `unlock --force`): it stops and writes nothing more. Exit code 4.
 */
export class LeaseLostError extends UserError {
  constructor(
    readonly ours: LeaseRecord,
    readonly now: LeaseRecord | undefined,
  ) {
    super(
      'E_LEASE_LOST',
      `this process lost the lease of ${ours.target} (token ${ours.token}) and stopped, writing nothing more: ` +
        (now
          ? `release ${now.releaseId} continues elsewhere, held by ${now.holder} since ${now.since} (token ${now.token})`
          : `the lease was broken (release unlock --force); the release continues elsewhere or waits for release resume ${ours.target}`),
      `See release status ${ours.target}; do not run this process's release again, it is driven by the lease's holder now.`,
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
  const fresh = (token: number): LeaseRecord => {
    const at = opts.now()
    return {target, holder: me.holder, host: me.host, pid: me.pid, releaseId: opts.releaseId, since: iso(at), expires: iso(at + opts.ttlMs), token}
  }

  let last: LeaseRecord | undefined
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const existingText = await store.read(key)
    if (existingText === undefined) {
      const record = fresh(await nextToken(store, target, 0))
      const text = serialize(record)
      if (await store.createExclusive(key, text)) return new HeldLease(store, key, record, text, opts)
      continue // taken meanwhile: look at who has it
    }
    const existing = parseLease(store, key, existingText)
    last = existing
    if (!isStale(existing, opts.now(), me.host, isAlive)) throw new LockedError(existing)
    const record = fresh(await nextToken(store, target, existing.token))
    const text = serialize(record)
    if (await takeOver(store, key, existingText, text)) {
      await markLeaseTaken(store, existing, `the lease of ${target} was taken over by ${record.holder} (token ${record.token}) from ${existing.holder} (token ${existing.token}), whose lease had gone stale`, opts.now)
      return new HeldLease(store, key, record, text, opts)
    }
  }
  // Still contended after several rounds: someone else is taking it over right now.
  throw new LockedError(last ?? fresh(0))
}

/**
 * Replaces a stale lease, only if it still holds exactly the stale content read: of two processes
 * taking over the same stale lease one wins, and a fresh lease written in between is never replaced.
 */
async function takeOver(store: StateStore, key: string, staleText: string, ourText: string): Promise<boolean> {
  return store.compareAndSet(key, staleText, ourText)
}

/**
 * Tells the old holder, where it writes, that the lease is no longer its own: a note appended to the
 * journal of the release it held, right after the lease changed hands. A store fences that holder's
 * journal appends by their place (Fence.marked): this line takes the place of its next one, which is
 * then refused. Nothing when that release has no journal (no holder wrote one: nothing to fence).
 */
async function markLeaseTaken(store: StateStore, old: LeaseRecord, message: string, now: () => number): Promise<void> {
  let journal: string
  try {
    journal = keys.journal(old.releaseId)
  } catch {
    return // not a release id: no journal of it anywhere
  }
  const slash = journal.lastIndexOf('/')
  if (!(await store.list(journal.slice(0, slash))).includes(journal.slice(slash + 1))) return
  await appendJournal(store, old.releaseId, {type: 'note', message, now})
}

/**
 * A token above every one handed out for this target: the last one is kept in `locks/<target>.fence`,
 * which outlives the lease itself (a lease is removed when released, its successor must still get a
 * larger token). Two acquirers may compute the same token, but only one of them creates the lease.
 */
async function nextToken(store: StateStore, target: string, atLeast: number): Promise<number> {
  const key = keys.fence(target)
  const text = await store.read(key)
  const last = text === undefined ? 0 : Number.parseInt(text.trim(), 10)
  const token = Math.max(Number.isSafeInteger(last) && last > 0 ? last : 0, atLeast) + 1
  await store.writeAtomic(key, `${token}\n`)
  return token
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
  get fence(): Fence {
    return {key: this.key, token: this.record.token}
  }

  async isOurs(): Promise<boolean> {
    const text = await this.store.read(this.key)
    if (text === undefined) return false
    try {
      return parseLease(this.store, this.key, text).token === this.record.token
    } catch {
      return false
    }
  }
  get releaseId(): string {
    return this.record.releaseId
  }

  /** The renewal in flight, if any: the next one waits for it. */
  private renewing: Promise<unknown> = Promise.resolve()

  /**
   * One renewal after another: a release renews on a timer and at every step, and on a slow store the
   * two overlap. Started together, both would set over the lease as it was, and the second, finding
   * the first one's renewal there, would take its own holder's lease for lost.
   */
  renew(): Promise<boolean> {
    const renewal = this.renewing.then(() => this.renewNow())
    this.renewing = renewal.catch(() => undefined)
    return renewal
  }

  private async renewNow(): Promise<boolean> {
    const record = {...this.record, expires: iso(this.opts.now() + this.opts.ttlMs)}
    const text = serialize(record)
    // Only over the lease exactly as we wrote it: a takeover or an unlock in between wins.
    if (!(await this.store.compareAndSet(this.key, this.text, text))) return false
    this.record = record
    this.text = text
    return true
  }

  async release(): Promise<boolean> {
    if ((await this.store.read(this.key)) !== this.text) return false
    try {
      await this.store.remove(this.key, this.fence)
    } catch (error) {
      if (error instanceof FenceError) return false
      throw error
    }
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

export interface ForceUnlockOptions {
  /** Whether a pid on this host is alive; defaults to the process inspector of src/util/process.ts. */
  isAlive?: (pid: number) => boolean
  host?: string
  /** The time of the note the broken lease's journal gets; defaults to the system clock. */
  now?: () => number
}

export interface Unlocked {
  /** The lease removed, when it could be read. */
  removed?: LeaseRecord
  /** Why the lease removed could not be read (a damaged lease, removed all the same). */
  damaged?: string
}

/**
 * `release unlock <target> --force`: removes the lease, unless its holder runs on this host (then two
 * processes would drive one release: E_HOLDER_ALIVE, exit 4). A damaged lease is removed too, which is
 * exactly what --force is for. Undefined when there was no lease.
 */
export async function forceUnlock(store: StateStore, target: string, opts: ForceUnlockOptions = {}): Promise<Unlocked | undefined> {
  const key = keys.lease(target)
  let text: string | undefined
  let result: Unlocked | undefined
  try {
    text = await store.read(key)
  } catch (error) {
    // A lease the store refuses to read (a link, a FIFO) is removed like a damaged one: unlink
    // removes the entry itself, never what it points to.
    if (!(error instanceof UserError)) throw error
    result = {damaged: error.message}
    await store.remove(key)
  }
  if (text !== undefined) {
    try {
      const lease = parseLease(store, key, text)
      if (lease.host === (opts.host ?? os.hostname()) && (opts.isAlive ?? pidAlive)(lease.pid)) throw new HolderAliveError(lease)
      result = {removed: lease}
    } catch (error) {
      if (error instanceof HolderAliveError) throw error
      result = {damaged: error instanceof UserError ? error.message : String(error)}
    }
    await store.remove(key)
    if (result?.removed) {
      const old = result.removed
      await markLeaseTaken(store, old, `the lease of ${target} held by ${old.holder} (token ${old.token}) was broken (release unlock --force)`, opts.now ?? Date.now)
    }
  }
  // Markers left by a taker that crashed mid-takeover would otherwise block every later takeover.
  const prefix = `${target}.takeover-`
  for (const name of await store.list('locks')) {
    if (name.startsWith(prefix)) await store.remove(`locks/${name}`)
  }
  return result
}

/** `unlock --force` of a lease whose holder still runs on this host. Exit code 4. */
export class HolderAliveError extends UserError {
  constructor(readonly lease: LeaseRecord) {
    super(
      'E_HOLDER_ALIVE',
      `the lease of ${lease.target} is held by ${lease.holder}, alive on this host, for release ${lease.releaseId}: breaking it would let two processes drive one release; nothing was changed`,
      `Let it finish (release status ${lease.target}), or stop it first (kill ${lease.pid}); once it is gone its lease is stale and release resume ${lease.target} takes it over.`,
      EXIT.locked,
    )
  }
}

/** Expired, or held by a process of this host that no longer runs. */
export function isStale(lease: LeaseRecord, now: number, host = os.hostname(), isAlive: (pid: number) => boolean = pidAlive): boolean {
  const expires = Date.parse(lease.expires)
  if (!Number.isFinite(expires) || expires <= now) return true
  return lease.host === host && !isAlive(lease.pid)
}

const pidAlive = isProcessAlive

function identity(given: AcquireOptions['identity'] = {}): {holder: string; host: string; pid: number} {
  const host = given.host ?? os.hostname()
  const pid = given.pid ?? process.pid
  const user = given.user ?? userName()
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
  // A lease that cannot be judged is refused, never taken over: an unparsable expiry would read as
  // expired, a pid of 0 or below would name a process group or no process at all.
  if (!Number.isSafeInteger(r.pid) || r.pid <= 0) throw leaseCorrupt(store, key, `the lease's pid ${JSON.stringify(r.pid)} is not a process id`)
  for (const field of ['since', 'expires'] as const) {
    const time = String(r[field])
    if (!ISO_TIME.test(time) || !Number.isFinite(Date.parse(time))) {
      throw leaseCorrupt(store, key, `the lease's ${field} ${JSON.stringify(r[field]).slice(0, 40)} is not a time`)
    }
  }
  // Leases written before fencing have no token: they count as token 0, below every new one.
  const token = r.token ?? 0
  if (!Number.isSafeInteger(token) || token < 0) throw leaseCorrupt(store, key, `the lease's token ${JSON.stringify(token).slice(0, 40)} is not a fencing token`)
  return {...(r as LeaseRecord), token}
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

function leaseCorrupt(store: StateStore, key: string, problem: string): UserError {
  const target = key.replace(/^locks\//, '').replace(/\.json$/, '')
  const error = corruptState(store, key, problem)
  return new UserError(error.code, error.message, `If no release of ${target} is running, run: release unlock ${target} --force`, EXIT.locked)
}
