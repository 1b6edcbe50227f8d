import type {InstanceJournal, InstanceRecord} from '../ports/instance-journal.js'
import type {StateStore} from '../ports/store.js'
import {Journal} from './journal.js'

/**
 * Per-instance progress of an in-place release as `instance` entries of the release's journal. Each
 * append is one line holding the whole batch (a tick's changes, or the whole plan), so a crash never
 * leaves half a batch behind; bytes grow linearly with the fleet.
 */
export class JournalInstanceLog implements InstanceJournal {
  private readonly journal: Journal
  constructor(
    store: StateStore,
    private readonly releaseId: string,
    now: () => number,
  ) {
    this.journal = new Journal(store, now)
  }

  async append(records: InstanceRecord[]): Promise<void> {
    if (records.length === 0) return
    await this.journal.append({releaseId: this.releaseId, type: 'instance', data: {records}})
  }

  async load(): Promise<InstanceRecord[]> {
    const entries = await this.journal.read(this.releaseId)
    return entries.filter((e) => e.type === 'instance').flatMap((e) => (e.data?.records ?? []) as InstanceRecord[])
  }
}
