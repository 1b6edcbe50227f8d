import type {InstanceRecord} from '../../src/ports/instance-journal.js'
import type {PassState} from './progress.js'

/** What a pass's write-aheads need of it. */
export interface WriteAheadPass {
  pass: 'forward' | 'restore'
  /** At most this many out of service at once: how many sends to come one write-ahead covers. */
  window: number
  append(records: InstanceRecord[]): Promise<void>
}

/**
 * The write-aheads of one window pass. Every instance is journaled as changing, without a command
 * id, before the call that may change it, so that the way back knows it even if the process dies
 * during the send. One write-ahead covers the sends of several looks: it writes ahead the instances
 * sent now and those the next looks are about to send (`upcoming`, up to a window of them, marked
 * `ahead`), so a look whose sends are all covered writes nothing before sending, and the journal
 * costs a write every few looks (the records deferred since ride on the next write) instead of one
 * per look that sends.
 *
 * Crash safety: an instance is sent only once a write-ahead of it is stored, as before. A resumed
 * pass looks for the commands it may have been sent (reattach, window.ts) and takes an `ahead` one
 * that was sent nothing as planned; the way back counts every written-ahead instance as touched,
 * so one the dead process sent is restored. A pass that ends takes back (takeBack) the write-aheads
 * it never sent, so that a live release's way back does not restore instances it never touched.
 */
export class WriteAhead {
  /** Written ahead (the last record of the pass is changing without a command id), not sent since. */
  private readonly covered = new Set<string>()
  /**
   * Those of them written ahead by a process before this one: it may have sent them (a command a
   * resumed pass did not find), so they are never taken back.
   */
  private readonly inherited = new Set<string>()

  constructor(
    private readonly job: WriteAheadPass,
    /** The instances the next looks are about to send, soonest first (none that is only returned to service). */
    private readonly upcoming: () => string[],
    /** The pass's records so far (a resumed pass): written-ahead instances are covered already. */
    records: PassState,
  ) {
    for (const [id, record] of records) {
      if (record.phase !== 'changing' || record.commandId !== undefined) continue
      this.covered.add(id)
      this.inherited.add(id)
    }
  }

  /**
   * Before `ids` are sent their change: when one is not covered, one append writes ahead it and the
   * upcoming instances not covered yet. The ids are then no longer covered: a later send to one (a
   * retry) is written ahead again.
   */
  async before(ids: string[], at: number): Promise<void> {
    const uncovered = ids.filter((id) => !this.covered.has(id))
    if (uncovered.length > 0) {
      const sending = new Set(ids)
      const next = this.upcoming()
        .filter((id) => !this.covered.has(id) && !sending.has(id))
        .slice(0, this.job.window)
      const {pass} = this.job
      await this.job.append([
        ...uncovered.map((instanceId) => ({instanceId, pass, phase: 'changing' as const, at})),
        ...next.map((instanceId) => ({instanceId, pass, phase: 'changing' as const, at, ahead: true})),
      ])
      for (const id of next) this.covered.add(id)
    }
    for (const id of ids) this.covered.delete(id)
  }

  /**
   * Records taking back this process's write-aheads of instances that are still `planned` (never
   * started) when the pass ends: what a stopped pass leaves, so that its way back restores only what
   * it touched.
   */
  takeBack(isPlanned: (id: string) => boolean, at: number): InstanceRecord[] {
    const unsent = [...this.covered].filter((id) => !this.inherited.has(id) && isPlanned(id))
    for (const id of unsent) this.covered.delete(id)
    return unsent.map((instanceId) => ({instanceId, pass: this.job.pass, phase: 'planned' as const, at, unsent: true}))
  }
}
