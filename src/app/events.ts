/**
 * `release events`: the journal of a release (transitions, progress, notes, per-instance records),
 * read from the state store only (never the account). With --follow it reads new lines as they are appended, on the
 * wall clock, until the release ends or pauses, and ends with the exit codes of `release wait`.
 */
import {targetOrError} from '../config/targets.js'
import {Journal, parseJournalLine, type JournalEntry} from '../engine/journal.js'
import {keys} from '../engine/keys.js'
import type {LeaseRecord} from '../engine/lease.js'
import type {ReleaseRecord} from '../engine/ledger.js'
import {UserError} from '../errors.js'
import {exitCodeFor} from '../ports/release.js'
import type {StateStore} from '../ports/store.js'
import {Backoff, interruptedError, isTerminal, newestRelease, observe, realSleep, type Sleep} from './wait.js'
import type {Workspace} from './workspace.js'

export interface EventsRequest {
  target: string
  /** A release id of the target; default its newest release. */
  release?: string
}

/** The release whose journal to show: --release (checked to be one of the target's), or the newest. */
export async function selectRelease(ws: Workspace, request: EventsRequest): Promise<ReleaseRecord> {
  const target = targetOrError(ws.config, request.target).name
  if (request.release === undefined) return newestRelease(ws, target)
  const ledger = await ws.ledger.read(target)
  const record = ledger.releases.find((r) => r.id === request.release)
  if (!record) {
    const recent = ledger.releases.slice(-5).map((r) => r.id).reverse()
    throw new UserError(
      'E_UNKNOWN_RELEASE',
      `target ${target} has no release ${JSON.stringify(request.release)}`,
      recent.length > 0 ? `recent releases of ${target}: ${recent.join(', ')} (release history ${target})` : `${target} has no releases yet`,
    )
  }
  return record
}

/** The whole journal as it is now; a damaged line is the engine's E_STATE_CORRUPT naming file:line. */
export async function readEvents(ws: Workspace, request: EventsRequest): Promise<{record: ReleaseRecord; entries: JournalEntry[]}> {
  const record = await selectRelease(ws, request)
  return {record, entries: await new Journal(ws.store, ws.now).read(record.id)}
}

export interface FollowHooks {
  onEntry: (entry: JournalEntry) => void
  onStart?: (record: ReleaseRecord) => void
  sleep?: Sleep
  now?: () => number
  isStale?: (lease: LeaseRecord, now: number) => boolean
}

/**
 * Prints the journal from its first line, then what is appended, until the release ends or pauses.
 * Resolves with the release as it ended and wait's exit code; throws E_INTERRUPTED (exit 1) when the
 * release is in progress but nothing holds it.
 */
export async function followEvents(
  ws: Workspace,
  request: EventsRequest,
  hooks: FollowHooks,
): Promise<{record: ReleaseRecord; exitCode: number}> {
  const first = await selectRelease(ws, request)
  hooks.onStart?.(first)
  const tail = new JournalTail(ws.store, first.id)
  const sleep = hooks.sleep ?? realSleep
  const backoff = new Backoff()
  for (;;) {
    // The ledger before the journal: once the ledger shows the end, the journal read after it has
    // every transition up to that end (the engine journals a transition before the ledger shows it).
    const seen = await observe(ws, first.target, first.id, {now: hooks.now, isStale: hooks.isStale})
    const entries = await tail.next()
    for (const entry of entries) hooks.onEntry(entry)
    const outcome = seen.record.outcome
    if (isTerminal(outcome) || outcome === 'paused') return {record: seen.record, exitCode: exitCodeFor(outcome)}
    if (seen.interrupted) throw interruptedError(seen, first.target)
    if (entries.length > 0) backoff.reset()
    await sleep(backoff.next())
  }
}

/**
 * Reads a journal incrementally: on a file store it watches the file's size and reads only the new
 * bytes. Only complete lines are taken, so a line being appended right now is read on the next look,
 * not mistaken for a damaged one; a complete line that is not an entry is E_STATE_CORRUPT naming
 * file:line, as the engine reports it.
 */
export class JournalTail {
  private offset = 0
  private lines = 0
  private readonly key: string

  constructor(
    private readonly store: StateStore,
    releaseId: string,
  ) {
    this.key = keys.journal(releaseId)
  }

  /** Entries appended since the last call (all of them on the first). */
  async next(): Promise<JournalEntry[]> {
    const bytes = await this.newBytes()
    const end = bytes.lastIndexOf(0x0a) + 1
    if (end === 0) return []
    this.offset += end
    const lines = bytes.subarray(0, end - 1).toString('utf8').split('\n')
    const entries: JournalEntry[] = []
    for (const line of lines) {
      this.lines += 1
      if (line.trim() === '') continue
      entries.push(parseJournalLine(this.store, this.key, line, this.lines))
    }
    return entries
  }

  private async newBytes(): Promise<Buffer> {
    // A store that reads part of a value (files) gives only what was appended since the last look.
    if (this.store.readFrom) return this.store.readFrom(this.key, this.offset)
    // Other backends have no size to watch: read it whole and keep what is new.
    const text = await this.store.read(this.key)
    return text === undefined ? Buffer.alloc(0) : Buffer.from(text, 'utf8').subarray(this.offset)
  }
}

/**
 * Journal entries as lines for people: `<at> <type> <state> <message>`. Instance records can number in
 * the thousands, so a run of them is shown as one line of counts by phase, every `every` records and
 * when another entry follows.
 */
export class EventText {
  private run: {count: number; at: string; phases: Map<string, number>} | undefined

  constructor(
    private readonly write: (line: string) => void,
    private readonly every = 200,
  ) {}

  entry(entry: JournalEntry): void {
    if (entry.type === 'instance') {
      const run = (this.run ??= {count: 0, at: entry.at, phases: new Map<string, number>()})
      run.at = entry.at
      // One entry holds a batch of records (older journals: one record per entry).
      const data = entry.data ?? {}
      const records: unknown[] = Array.isArray(data.records) ? data.records : [data]
      for (const item of records) {
        const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>
        const phase = `${record.pass === 'restore' ? 'restore ' : ''}${typeof record.phase === 'string' ? record.phase : 'record'}`
        run.phases.set(phase, (run.phases.get(phase) ?? 0) + 1)
        run.count += 1
      }
      if (run.count >= this.every) this.end()
      return
    }
    this.end()
    this.write(eventLine(entry))
  }

  /** Writes the pending count of instance records, if any. */
  end(): void {
    const run = this.run
    if (!run) return
    this.run = undefined
    const phases = [...run.phases].map(([phase, n]) => `${phase} ${n}`).join(', ')
    this.write(`${run.at} instance - ${run.count} instance record${run.count === 1 ? '' : 's'} (${phases})`)
  }
}

export function eventLine(entry: JournalEntry): string {
  const what = entry.message ?? (entry.type === 'transition' && entry.event ? `on ${entry.event}` : '')
  return `${entry.at} ${entry.type} ${entry.state ?? '-'} ${what}`.trimEnd()
}
