import {UserError} from '../errors.js'
import type {Outcome, ReleaseKind, StrategyName} from '../ports/release.js'
import type {StateStore} from '../ports/store.js'
import {corruptState, iso, keys, parseStateJson, segment} from './keys.js'
import {highestSeq, releaseId} from './release-id.js'
import type {ReleaseDetails} from './release-details.js'

export interface ReleaseRecord {
  /** `${target}-${seq}`, after the environment's prefix in a named environment (`staging-web-3`). */
  id: string
  target: string
  seq: number
  version: string
  strategy: StrategyName
  kind: ReleaseKind
  /** The machine's state, e.g. planning, shifting, rolledBack. */
  state: string
  outcome: Outcome
  startedAt: string
  endedAt?: string
  /** The live version when the release began. */
  previousVersion: string | null
  message?: string
  /** What the machine's context leaves for readers once it is gone (src/engine/release-details.ts). */
  details?: ReleaseDetails
  /**
   * What the person asked beyond target and version (the flags of rollout and rollback), written with
   * the record before anything else, so that a resume, even one before the first snapshot, runs the
   * release as it was asked.
   */
  options?: RequestedOptions
}

export interface RequestedOptions {
  /** `--adopt`: the group taken over as the old group, with the version it runs. */
  adopt?: {group: string; version: string} | null
  /** `rollback --emergency`: no bake, no gates. */
  emergency?: boolean
  /** `rollout --force`: a deliberate re-release of the live version. */
  force?: boolean
  /** `release converge` of an incremental target: the drifted instances, the only ones it changes. */
  instances?: string[]
  /** `release converge`: the fleet's instances when it began (what later drift checks compare against). */
  fleet?: string[]
}

export interface TargetLedger {
  target: string
  /**
   * Grows by one with every change: a decision taken on a read can be written only if nothing changed
   * since (compare-and-set). Ledgers written before it had none: revision 0.
   */
  revision?: number
  liveVersion: string | null
  /** Oldest first. */
  releases: ReleaseRecord[]
}

type Patch = Partial<Pick<ReleaseRecord, 'state' | 'outcome' | 'message' | 'details' | 'endedAt'>>

/**
 * One ledger per target: every release and the live version. Each change rewrites the whole file
 * atomically. Writers of one target across processes are kept apart by the target's lease; within a
 * process, changes to one target are queued here.
 */
export class Ledger {
  private readonly queues = new Map<string, Promise<unknown>>()
  /**
   * The text this ledger wrote last, by key: the next change compares-and-sets against it without
   * reading first (one read saved, a Query on DynamoDB). While no other process changed the ledger
   * since, it is what a read would give; when one did, the compare-and-set fails and the change reads.
   */
  private readonly written = new Map<string, string>()

  constructor(
    private readonly store: StateStore,
    private readonly now: () => number,
    /** Put before release ids (`staging-`): a named environment's stacks, named after them, carry it. */
    private readonly idPrefix = '',
  ) {}

  /** An empty ledger when the target has none yet. */
  async read(target: string): Promise<TargetLedger> {
    const key = keys.ledger(target)
    return this.parse(target, key, await this.store.read(key))
  }

  /** The ledger of `target` from its text as read (undefined: the target has none yet, an empty ledger). */
  private parse(target: string, key: string, text: string | undefined): TargetLedger {
    if (text === undefined) return {target, liveVersion: null, releases: []}
    const value = parseStateJson(this.store, key, text, 'the ledger')
    const problem = ledgerProblem(value, target)
    if (problem) throw corruptState(this.store, key, `the ledger is damaged: ${problem}`)
    return value as TargetLedger
  }

  begin(
    target: string,
    r: {version: string; strategy: StrategyName; kind: ReleaseKind; options?: RequestedOptions},
  ): Promise<ReleaseRecord> {
    return this.change(target, (ledger) => {
      const seq = highestSeq(ledger.releases) + 1
      const record: ReleaseRecord = {
        id: releaseId(this.idPrefix, target, seq),
        target,
        seq,
        version: r.version,
        strategy: r.strategy,
        kind: r.kind,
        state: 'planning',
        outcome: 'inProgress',
        startedAt: iso(this.now()),
        previousVersion: ledger.liveVersion,
        ...(r.options ? {options: r.options} : {}),
      }
      ledger.releases.push(record)
      return record
    })
  }

  /** The id `begin` gives the next release of a ledger already read: the lease and `release plan` name it first. */
  nextId(ledger: TargetLedger): string {
    return releaseId(this.idPrefix, ledger.target, highestSeq(ledger.releases) + 1)
  }

  /** With `ifRevision`, only if the ledger is still at that revision (else E_MOVED_ON, nothing written). */
  update(target: string, id: string, patch: Patch, ifRevision?: number): Promise<ReleaseRecord> {
    return this.change(target, (ledger) => {
      if (ifRevision !== undefined && revisionOf(ledger) !== ifRevision) throw movedOn(target, ifRevision, revisionOf(ledger))
      const record = find(ledger, id)
      for (const field of ['state', 'outcome', 'message', 'details', 'endedAt'] as const) {
        if (field in patch) {
          const value = patch[field]
          if (value === undefined) delete record[field]
          else (record as unknown as Record<string, unknown>)[field] = value
        }
      }
      return record
    })
  }

  /** Ends a release; a succeeded one makes its version the live version. */
  finish(
    target: string,
    id: string,
    r: {state: string; outcome: Outcome; message?: string; details?: ReleaseDetails},
  ): Promise<ReleaseRecord> {
    return this.change(target, (ledger) => {
      const record = find(ledger, id)
      record.state = r.state
      record.outcome = r.outcome
      if (r.message !== undefined) record.message = r.message
      if (r.details !== undefined) record.details = r.details
      record.endedAt = iso(this.now())
      if (r.outcome === 'succeeded') ledger.liveVersion = record.version
      return record
    })
  }

  /** The newest release, whatever its outcome. */
  async current(target: string): Promise<ReleaseRecord | undefined> {
    return (await this.read(target)).releases.at(-1)
  }

  /** The newest succeeded version other than the live one: what `release rollback` returns to by default. */
  async lastKnownGood(target: string): Promise<string | undefined> {
    return lastKnownGoodOf(await this.read(target))
  }

  /** Targets that have a ledger, sorted. */
  async targets(): Promise<string[]> {
    const names = await this.store.list('targets')
    const withLedger = await Promise.all(
      names.map(async (name) => ((await this.store.list(`targets/${name}`)).includes('ledger.json') ? name : undefined)),
    )
    return withLedger.filter((name): name is string => name !== undefined)
  }

  /** Read, change, write atomically; one change at a time per target in this process. */
  private change<T>(target: string, fn: (ledger: TargetLedger) => T): Promise<T> {
    try {
      segment('target', target)
    } catch (error) {
      return Promise.reject(error)
    }
    const previous = this.queues.get(target) ?? Promise.resolve()
    const next = previous.then(async () => {
      const key = keys.ledger(target)
      // Compare-and-set against the ledger as read (or as this ledger wrote it last): another
      // process's change in between (a promote or an abort from another runner) makes us read again
      // and decide again, never lost.
      let known = this.written.get(key)
      for (let attempt = 0; ; ) {
        const fromWritten = known !== undefined
        // Parsed from the text read, never read again: the compare-and-set compares with this text.
        const before = known ?? (await this.store.read(key))
        known = undefined
        let ledger: TargetLedger
        let result: T
        try {
          ledger = this.parse(target, key, before)
          result = fn(ledger)
        } catch (error) {
          // Decided on what another process may have changed since (a revision, an id): decide on the ledger as read.
          if (fromWritten) continue
          throw error
        }
        ledger.revision = revisionOf(ledger) + 1
        const text = JSON.stringify(ledger, null, 2) + '\n'
        // Unknown until the write says: a call that failed may have been carried out.
        this.written.delete(key)
        if (await this.store.compareAndSet(key, before, text)) {
          this.written.set(key, text)
          return result
        }
        if (fromWritten) continue
        if (++attempt > CAS_ATTEMPTS) throw movedOn(target, revisionOf(ledger) - 1, revisionOf(await this.read(target)))
      }
    })
    const settled = next.catch(() => {})
    this.queues.set(target, settled)
    void settled.then(() => {
      if (this.queues.get(target) === settled) this.queues.delete(target)
    })
    return next
  }
}

/** The newest succeeded version other than the live one, in a ledger already read. */
export function lastKnownGoodOf(ledger: TargetLedger): string | undefined {
  for (const release of [...ledger.releases].reverse()) {
    if (release.outcome === 'succeeded' && release.version !== ledger.liveVersion) return release.version
  }
  return undefined
}

/** Rounds of read-decide-write lost to other writers before giving up. */
const CAS_ATTEMPTS = 20

export function revisionOf(ledger: TargetLedger): number {
  return ledger.revision ?? 0
}

/** A write conditional on a revision found the ledger changed since: nothing was written. */
function movedOn(target: string, expected: number, found: number): UserError {
  return new UserError(
    'E_MOVED_ON',
    `the ledger of ${target} changed since it was read (revision ${expected}, now ${found}): another process acted on it; nothing was changed`,
    `See release status ${target}, then decide again.`,
  )
}

function find(ledger: TargetLedger, id: string): ReleaseRecord {
  const record = ledger.releases.find((release) => release.id === id)
  if (!record) {
    const recent = ledger.releases.slice(-5).map((release) => release.id)
    throw new UserError(
      'E_UNKNOWN_RELEASE',
      `target ${ledger.target} has no release ${id}`,
      recent.length > 0 ? `Recent releases of ${ledger.target}: ${recent.join(', ')}.` : `Target ${ledger.target} has no releases yet.`,
    )
  }
  return record
}

/** What is wrong with a parsed ledger, if anything; only what readers rely on is checked. */
function ledgerProblem(value: unknown, target: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object'
  const ledger = value as Record<string, unknown>
  if (ledger.target !== target) return `it is the ledger of ${JSON.stringify(ledger.target)}, not ${target}`
  if (ledger.liveVersion !== null && typeof ledger.liveVersion !== 'string') return 'liveVersion is neither a string nor null'
  if (ledger.revision !== undefined && (!Number.isSafeInteger(ledger.revision) || (ledger.revision as number) < 0)) return 'revision is not a count'
  if (!Array.isArray(ledger.releases)) return 'releases is not a list'
  for (const [index, release] of ledger.releases.entries()) {
    if (typeof release !== 'object' || release === null) return `releases[${index}] is not an object`
    const r = release as Record<string, unknown>
    if (typeof r.id !== 'string' || typeof r.seq !== 'number' || typeof r.version !== 'string' || typeof r.outcome !== 'string') {
      return `releases[${index}] lacks id, seq, version or outcome`
    }
  }
  return undefined
}
