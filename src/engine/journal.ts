import type {StateStore} from '../ports/store.js'
import {corruptState, iso, keys} from './keys.js'

export interface JournalEntry {
  at: string
  releaseId: string
  type: 'transition' | 'progress' | 'note' | 'instance'
  state?: string
  event?: string
  message?: string
  data?: Record<string, unknown>
}

/**
 * Entries deferred (defer) before they are written anyway, with what is pending: a bound on what a
 * crash can lose, a few polls of a window at most.
 */
export const MAX_DEFERRED = 8

/**
 * What happened during a release, one JSON object per line in `releases/<id>/journal.ndjson`. Per-
 * instance progress of large fleets lives here rather than in the machine's snapshot, so persisted
 * bytes grow with the fleet, not with fleet x transitions.
 *
 * One state write per poll: an entry that records what already happened (an instance back in
 * service, a progress line) can be deferred; it is written with the next entry that must be stored
 * before the release acts (a write-ahead record, a transition) in one append, or by flush. Writes of
 * one Journal go one at a time, in the order they were asked.
 */
export class Journal {
  /** Deferred lines by journal key, oldest first. */
  private readonly pending = new Map<string, string[]>()
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly store: StateStore,
    private readonly now: () => number,
  ) {}

  /** Appends one entry (with every deferred one before it); `at` defaults to now. Returns the entry as written. */
  async append(entry: Omit<JournalEntry, 'at'> & {at?: string}): Promise<JournalEntry> {
    const {written, line} = this.line(entry)
    const key = keys.journal(entry.releaseId)
    const look = entry.type === 'instance' ? this.takeOwed(entry.releaseId) : undefined
    await this.writeOwing(key, [line], look)
    return written
  }

  /** Writes the deferred lines and these; when a look is owed, as one write that stands for it (owe). */
  private async writeOwing(key: string, lines: string[], look: (() => Promise<void>) | undefined): Promise<void> {
    if (look) {
      if (await this.writeAlone(key, lines)) return
      // Someone else wrote to the journal since (or the store cannot tell): look, then write.
      await look()
    }
    await this.write(key, () => [...this.take(key), ...lines])
  }

  /** Looks owed by the next instance entry of a release, by journal key. */
  private readonly owed = new Map<string, () => Promise<void>>()

  /**
   * Makes the next instance entry of the release (a step's write-ahead: where it acts next) stand for
   * `look` (what others may have written: an abort request, whose note `release abort` appends):
   * the entry is written only where it follows this process's own last line, one call, and then
   * nothing was appended by anyone else since. When something was, or the store cannot tell, `look`
   * runs first (if it throws, the entry is not written). Whoever owes it runs it (takeOwed) if no
   * such entry comes.
   */
  owe(releaseId: string, look: () => Promise<void>): void {
    this.owed.set(keys.journal(releaseId), look)
  }

  /** Whether a look is owed for the release (no instance entry has stood for it yet). */
  owes(releaseId: string): boolean {
    return this.owed.has(keys.journal(releaseId))
  }

  /** The look still owed for the release, no longer owed (undefined when none is). */
  takeOwed(releaseId: string): (() => Promise<void>) | undefined {
    const key = keys.journal(releaseId)
    const look = this.owed.get(key)
    this.owed.delete(key)
    return look
  }

  /**
   * Does the look owed for the release, if any, in one call: when deferred lines wait and the store
   * can append where nobody else did (appendIfAlone), by writing them in a write that stands for it
   * (as a write-ahead would); otherwise by running it.
   */
  async payOwed(releaseId: string): Promise<void> {
    const look = this.takeOwed(releaseId)
    if (!look) return
    const key = keys.journal(releaseId)
    // A store that cannot tell whether someone appended would read and write: read only.
    if (this.store.appendIfAlone && (this.pending.get(key)?.length ?? 0) > 0) await this.writeOwing(key, [], look)
    else await look()
  }

  /** The deferred lines and these, only where they follow our own last line (appendIfAlone). */
  private async writeAlone(key: string, lines: string[]): Promise<boolean> {
    const appendIfAlone = this.store.appendIfAlone?.bind(this.store)
    if (!appendIfAlone) return false
    let alone = false
    const done = this.writing.then(async () => {
      const deferred = this.take(key)
      const batch = [...deferred, ...lines]
      // Nothing to write (all written since): nothing appended by anyone else can be told from that.
      if (batch.length === 0) return
      alone = await appendIfAlone(key, batch)
      // Not written: the deferred lines wait again, before any deferred since.
      if (!alone && deferred.length > 0) this.pending.set(key, [...deferred, ...(this.pending.get(key) ?? [])])
    })
    this.writing = done.catch(() => undefined)
    await done
    return alone
  }

  /**
   * Keeps an entry to be written with the next append or flush (or once MAX_DEFERRED are waiting):
   * for what the release may lose in a crash, because a resumed step looks before it acts. The write
   * of an instance entry's MAX_DEFERRED stands for a look owed, like a write-ahead (owe).
   */
  async defer(entry: Omit<JournalEntry, 'at'> & {at?: string}): Promise<JournalEntry> {
    const {written, line} = this.line(entry)
    const key = keys.journal(entry.releaseId)
    const pending = this.pending.get(key) ?? []
    pending.push(line)
    this.pending.set(key, pending)
    if (pending.length < MAX_DEFERRED) return written
    const look = entry.type === 'instance' ? this.takeOwed(entry.releaseId) : undefined
    await this.writeOwing(key, [], look)
    return written
  }

  /** Writes the deferred entries of a release now (nothing when none are waiting). */
  flush(releaseId: string): Promise<void> {
    const key = keys.journal(releaseId)
    return this.write(key, () => this.take(key))
  }

  private take(key: string): string[] {
    const lines = this.pending.get(key) ?? []
    this.pending.delete(key)
    return lines
  }

  /** One append at a time; the lines are taken when its turn comes, so a later entry joins them. */
  private write(key: string, lines: () => string[]): Promise<void> {
    const done = this.writing.then(async () => {
      const batch = lines()
      if (batch.length > 0) await this.store.append(key, batch)
    })
    this.writing = done.catch(() => undefined)
    return done
  }

  private line(entry: Omit<JournalEntry, 'at'> & {at?: string}): {written: JournalEntry; line: string} {
    const written: JournalEntry = {...entry, at: entry.at ?? iso(this.now())}
    // `at` first, for people reading the file.
    const {at, ...rest} = written
    return {written, line: JSON.stringify({at, ...rest})}
  }

  /** All entries, oldest first (this Journal's deferred ones written first); none when the release has no journal. */
  async read(releaseId: string): Promise<JournalEntry[]> {
    const key = keys.journal(releaseId)
    await this.flush(releaseId)
    const text = await this.store.read(key)
    if (text === undefined) return []
    const entries: JournalEntry[] = []
    const lines = text.split('\n')
    // A crash in the middle of an append leaves a last line with no newline: it never happened.
    if (!text.endsWith('\n')) lines.pop()
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue
      entries.push(parseJournalLine(this.store, key, line, index + 1))
    }
    return entries
  }
}

const TYPES = new Set(['transition', 'progress', 'note', 'instance'])

/**
 * One line of a journal (`lineNumber` 1-based, for the message), checked: what `resume` reads back
 * and what `release events` shows are parsed by the same rule, so a line one refuses the other does too.
 */
export function parseJournalLine(store: StateStore, key: string, line: string, lineNumber: number): JournalEntry {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (error) {
    throw corruptState(store, key, `this journal line is not valid JSON (${(error as Error).message})`, lineNumber)
  }
  const problem = entryProblem(value)
  if (problem) throw corruptState(store, key, `this journal line is not an entry (${problem})`, lineNumber)
  return value as JournalEntry
}

/**
 * What is wrong with a parsed journal line, if anything: what a resume relies on is checked, so that a
 * damaged journal is refused before anything moves rather than found out half-way through a release.
 */
function entryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object'
  const entry = value as Record<string, unknown>
  if (typeof entry.at !== 'string') return 'it lacks at'
  if (typeof entry.type !== 'string' || !TYPES.has(entry.type)) return 'its type is none of transition, progress, note, instance'
  if (entry.type !== 'instance') return undefined
  const records = (entry.data as {records?: unknown} | undefined)?.records
  if (!Array.isArray(records)) return 'an instance entry without a list of records'
  for (const record of records) {
    const r = record as Record<string, unknown> | null
    if (typeof r !== 'object' || r === null || typeof r.instanceId !== 'string' || typeof r.phase !== 'string' || typeof r.pass !== 'string') {
      return 'an instance record lacks instanceId, phase or pass'
    }
  }
  return undefined
}

/**
 * The Journal every writer of one store object shares (the runner, the instance log, progress and
 * notes of a release all write through the holder's fenced store): so that deferred entries ride
 * with the next append of any of them, in order.
 */
export function sharedJournal(store: StateStore, now: () => number): Journal {
  let journal = shared.get(store)
  if (!journal) {
    journal = new Journal(store, now)
    shared.set(store, journal)
  }
  return journal
}
const shared = new WeakMap<StateStore, Journal>()

/** One-off append without a Journal at hand (through the store's shared one, after what it deferred). */
export function appendJournal(
  store: StateStore,
  releaseId: string,
  entry: Omit<JournalEntry, 'at' | 'releaseId'> & {at?: string; now: () => number},
): Promise<JournalEntry> {
  const {now, ...rest} = entry
  return sharedJournal(store, now).append({...rest, releaseId})
}
