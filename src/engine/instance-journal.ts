import type {InstanceJournal, InstanceRecord} from '../ports/instance-journal.js'
import type {StateStore} from '../ports/store.js'
import {sharedJournal, type Journal} from './journal.js'

/**
 * Per-instance progress of an in-place release as `instance` entries of the release's journal. Each
 * append is one line holding the whole batch (a tick's changes, or the whole plan), so a crash never
 * leaves half a batch behind; bytes grow linearly with the fleet.
 *
 * What must be stored before the release acts is written at once: the plan (every instance and the
 * version it runs) and the write-ahead records (changing, no command id yet), which carry the
 * records deferred since. A tick's other records (an instance in Standby, sent, back in service,
 * failed) record what already happened and a resumed step finds out again: they are deferred to the
 * next such write, so a window costs one state write per poll, not three.
 */
export class JournalInstanceLog implements InstanceJournal {
  private readonly journal: Journal
  constructor(
    store: StateStore,
    private readonly releaseId: string,
    now: () => number,
  ) {
    this.journal = sharedJournal(store, now)
  }

  async append(records: InstanceRecord[]): Promise<void> {
    if (records.length === 0) return
    const entry = {releaseId: this.releaseId, type: 'instance' as const, data: {records}}
    if (records.some(mustBeStored)) await this.journal.append(entry)
    else await this.journal.defer(entry)
  }

  async load(): Promise<InstanceRecord[]> {
    const entries = await this.journal.read(this.releaseId)
    return entries.filter((e) => e.type === 'instance').flatMap((e) => (e.data?.records ?? []) as InstanceRecord[])
  }
}

/**
 * A record the release must find again after a crash: the plan, or a change written ahead of its
 * send. A write-ahead taken back (unsent) may be lost: the way back then restores one instance more.
 */
function mustBeStored(record: InstanceRecord): boolean {
  return (record.phase === 'planned' && record.unsent !== true) || (record.phase === 'changing' && record.commandId === undefined)
}
