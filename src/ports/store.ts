/**
 * Where releases, ledgers, journals and leases are kept. Keys are relative, slash-separated paths
 * such as `targets/web/ledger.json`. The file backend (src/store/file.ts) is the default.
 */
export interface StateStore {
  /** Human description of where the state lives, for messages (e.g. the directory). */
  readonly location: string
  read(key: string): Promise<string | undefined>
  /** Replaces the whole value atomically: a reader sees the old or the new value, never a torn one. */
  writeAtomic(key: string, data: string): Promise<void>
  /** Appends one line (a newline is added). */
  append(key: string, line: string): Promise<void>
  /** Creates the key only if absent; false when it already exists. */
  createExclusive(key: string, data: string): Promise<boolean>
  remove(key: string): Promise<void>
  /** Keys directly below a prefix (one level), e.g. list('targets') -> ['web', 'api']. */
  list(prefix: string): Promise<string[]>
}
