import {UserError} from '../errors.js'
import type {StateStore} from '../ports/store.js'

/**
 * Where the engine keeps things in a StateStore. Target names and release ids become path segments,
 * so anything that could step outside its directory is refused here.
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

export function segment(kind: 'target' | 'release id', value: string): string {
  if (typeof value !== 'string' || !SEGMENT.test(value) || value.length > 128) {
    throw new UserError(
      kind === 'target' ? 'E_UNKNOWN_TARGET' : 'E_UNKNOWN_RELEASE',
      `${JSON.stringify(value)} is not a valid ${kind}`,
      kind === 'target' ? 'Use a target name from release.yml.' : 'Use a release id as shown by `release history <target>`.',
    )
  }
  return value
}

export const keys = {
  ledger: (target: string) => `targets/${segment('target', target)}/ledger.json`,
  lease: (target: string) => `locks/${segment('target', target)}.json`,
  /** The last fencing token handed out for the target's lease (it outlives the lease). */
  fence: (target: string) => `locks/${segment('target', target)}.fence`,
  journal: (releaseId: string) => `releases/${segment('release id', releaseId)}/journal.ndjson`,
  snapshot: (releaseId: string) => `releases/${segment('release id', releaseId)}/snapshot.json`,
  /** A person's request to stop a running release (`release abort`), written by any process. */
  abortRequest: (releaseId: string) => `releases/${segment('release id', releaseId)}/abort.json`,
  /** The notices a release sent (one line each), so that a resumed release does not send one twice. */
  notices: (releaseId: string) => `releases/${segment('release id', releaseId)}/notices.ndjson`,
}

/**
 * State that cannot be read back is never repaired or overwritten by the engine: a human decides.
 * Exit code 2, like any input the tool refuses: nothing was changed.
 */
export function corruptState(store: StateStore, key: string, problem: string, line?: number): UserError {
  const where = `${store.location}/${key}${line === undefined ? '' : `:${line}`}`
  return new UserError(
    'E_STATE_CORRUPT',
    `${where}: ${problem}`,
    `Restore the file from a backup or move it aside (release never overwrites it), then retry.`,
    2,
  )
}

/** Parses a state file's JSON, or refuses it as corrupt, naming the file and what it should have been. */
export function parseStateJson(store: StateStore, key: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw corruptState(store, key, `${what} is not valid JSON (${(error as Error).message})`)
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString()
}
