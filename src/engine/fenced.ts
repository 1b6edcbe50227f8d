import {FenceError, type Fence, type StateStore} from '../ports/store.js'
import {keys} from './keys.js'
import {LeaseLostError, readLease, type Lease} from './lease.js'

/**
 * The store as the holder of a lease writes to it: every write carries the lease's fence, so once
 * another process holds the target's lease (a takeover after this one was stopped past its expiry,
 * or `unlock --force`), this process's writes are refused and it stops with E_LEASE_LOST. `onWritten`
 * hears of each write that went through.
 */
export function fencedStore(store: StateStore, lease: Lease, onWritten?: () => void): StateStore {
  // A takeover or an unlock appends a line to the release's journal (markLeaseTaken): the holder's
  // appends there are refused by that line's place.
  const fence: Fence = {...lease.fence, marked: keys.journal(lease.releaseId)}
  const guarded = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      const result = await write()
      // Went through under the fence: the lease was ours just now (LeaseWatch need not read it).
      onWritten?.()
      return result
    } catch (error) {
      if (error instanceof FenceError) throw await leaseLost(store, lease)
      throw error
    }
  }
  // Optional on the port: a store that cannot tell whether someone appended has none.
  const appendIfAlone = store.appendIfAlone?.bind(store)
  return {
    location: store.location,
    read: (key) => store.read(key),
    list: (prefix) => store.list(prefix),
    writeAtomic: (key, data) => guarded(() => store.writeAtomic(key, data, fence)),
    append: (key, lines) => guarded(() => store.append(key, lines, fence)),
    ...(appendIfAlone ? {appendIfAlone: (key: string, lines: string | readonly string[]) => guarded(() => appendIfAlone(key, lines, fence))} : {}),
    compareAndSet: (key, expected, data) => guarded(() => store.compareAndSet(key, expected, data, fence)),
    remove: (key) => guarded(() => store.remove(key, fence)),
    // Only leases are created exclusively; a holder never creates one through its fenced store.
    createExclusive: (key, data) => guarded(() => store.createExclusive(key, data)),
  }
}

/** The error that says who holds the lease now, whatever can be read of it. */
export async function leaseLost(store: StateStore, lease: Lease): Promise<LeaseLostError> {
  const now = await readLease(store, lease.target).catch(() => undefined)
  return new LeaseLostError(lease.record, now)
}
