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
 * What happened during a release, one JSON object per line in `releases/<id>/journal.ndjson`. Per-
 * instance progress of large fleets lives here rather than in the machine's snapshot, so persisted
 * bytes grow with the fleet, not with fleet x transitions.
 */
export class Journal {
  constructor(
    private readonly store: StateStore,
    private readonly now: () => number,
  ) {}

  /** Appends one entry; `at` defaults to now. Returns the entry as written. */
  async append(entry: Omit<JournalEntry, 'at'> & {at?: string}): Promise<JournalEntry> {
    const written: JournalEntry = {...entry, at: entry.at ?? iso(this.now())}
    // `at` first, for people reading the file.
    const {at, ...rest} = written
    await this.store.append(keys.journal(entry.releaseId), JSON.stringify({at, ...rest}))
    return written
  }

  /** All entries, oldest first; none when the release has no journal. */
  async read(releaseId: string): Promise<JournalEntry[]> {
    const key = keys.journal(releaseId)
    const text = await this.store.read(key)
    if (text === undefined) return []
    const entries: JournalEntry[] = []
    const lines = text.split('\n')
    // A crash in the middle of an append leaves a last line with no newline: it never happened.
    if (!text.endsWith('\n')) lines.pop()
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch (error) {
        throw corruptState(this.store, key, `this journal line is not valid JSON (${(error as Error).message})`, index + 1)
      }
      const problem = entryProblem(value)
      if (problem) throw corruptState(this.store, key, `this journal line is not an entry (${problem})`, index + 1)
      entries.push(value as JournalEntry)
    }
    return entries
  }
}

const TYPES = new Set(['transition', 'progress', 'note', 'instance'])

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

/** One-off append without a Journal at hand, e.g. from a progress sink. */
export function appendJournal(
  store: StateStore,
  releaseId: string,
  entry: Omit<JournalEntry, 'at' | 'releaseId'> & {at?: string; now: () => number},
): Promise<JournalEntry> {
  const {now, ...rest} = entry
  return new Journal(store, now).append({...rest, releaseId})
}
