/**
 * Where releases, ledgers, journals and leases are kept. Keys are relative, slash-separated paths
 * such as `targets/web/ledger.json`. The file backend (src/store/file.ts) is the default.
 *
 * Fencing: every write may carry a Fence, the key of a lease and the token its holder was given. The
 * write happens only while that key still holds a JSON object whose `token` is that number; otherwise
 * it is refused with a FenceError and nothing is written. A backend with conditional writes (DynamoDB:
 * a ConditionCheck on the lease item in the same transaction) checks it atomically with the write; the
 * file backend checks it immediately before the write (the lease holder is the only writer of its
 * keys, so the gap only matters to a holder that was stopped exactly there).
 */
export interface StateStore {
  /** Human description of where the state lives, for messages (e.g. the directory). */
  readonly location: string
  read(key: string): Promise<string | undefined>
  /** Replaces the whole value atomically: a reader sees the old or the new value, never a torn one. */
  writeAtomic(key: string, data: string, fence?: Fence): Promise<void>
  /**
   * Appends one line, or several in one write (a newline is added after each); a reader never sees
   * one glued to a torn earlier line. Several lines are what a poll produced: one write, not one
   * each. A crash during the write keeps a prefix of them at most, never a line torn.
   */
  append(key: string, lines: string | readonly string[], fence?: Fence): Promise<void>
  /**
   * Optional: appends only where the lines follow this process's own last append to the key under
   * the fence (Fence.marked), i.e. when no other process appended to it since; false, and nothing
   * written, when one did or the store cannot tell. What lets one write of a poll stand for a look
   * at what others appended (an abort request's note) in the same call.
   */
  appendIfAlone?(key: string, lines: string | readonly string[], fence?: Fence): Promise<boolean>
  /**
   * Optional: the value's bytes from `offset` to its end (empty when shorter or missing), for a store
   * that can read part of a value. A reader following a growing journal reads only what was appended;
   * without it, it reads the whole value each look.
   */
  readFrom?(key: string, offset: number): Promise<Buffer>
  /** Creates the key only if absent; false when it already exists. */
  createExclusive(key: string, data: string): Promise<boolean>
  /**
   * Replaces the value only if it is still exactly `expected` (undefined: only if the key is absent);
   * false, and nothing written, when it is not. What lease takeovers, lease renewals and ledger
   * updates decide on a read go through: no interleaving of two writers loses either's change.
   */
  compareAndSet(key: string, expected: string | undefined, data: string, fence?: Fence): Promise<boolean>
  remove(key: string, fence?: Fence): Promise<void>
  /** Keys directly below a prefix (one level), e.g. list('targets') -> ['web', 'api']. */
  list(prefix: string): Promise<string[]>
}

/** A write condition: `key` (a lease) still holds a JSON object with this `token`. */
export interface Fence {
  key: string
  token: number
  /**
   * The key its holder appends to (its release's journal), where whoever takes the lease over or
   * breaks it appends a line right after (src/engine/lease.ts). A store may then fence the holder's
   * appends there by their place alone: the line that takes the next place refuses the holder's next
   * append, with no read of the lease (src/aws/state-store.ts).
   */
  marked?: string
}

/** A fenced write refused because the lease moved on; nothing was written. */
export class FenceError extends Error {
  override readonly name = 'FenceError'
  constructor(
    readonly fence: Fence,
    /** The lease's content found instead (undefined when the lease is gone). */
    readonly found: string | undefined,
  ) {
    super(`refused a write fenced by ${fence.key} token ${fence.token}: the lease ${found === undefined ? 'is gone' : 'holds another token'}`)
  }
}

/** The lines of an append, each refused if it holds a newline (it would read back as two). */
export function linesOf(key: string, lines: string | readonly string[]): string[] {
  const list = typeof lines === 'string' ? [lines] : [...lines]
  if (list.length === 0) throw new Error(`an append to ${key} needs at least one line`)
  if (list.some((line) => line.includes('\n'))) throw new Error(`a line appended to ${key} must not contain a newline`)
  return list
}

/** Whether `text` (a lease as stored) still carries `token`. Shared by the backends that check in code. */
export function fenceHolds(text: string | undefined, token: number): boolean {
  if (text === undefined) return false
  try {
    const value = JSON.parse(text) as {token?: unknown} | null
    return typeof value === 'object' && value !== null && value.token === token
  } catch {
    return false
  }
}
