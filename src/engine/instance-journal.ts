import type {InstanceJournal, InstanceRecord} from '../ports/instance-journal.js'
import type {StateStore} from '../ports/store.js'
import {Journal} from './journal.js'

/**
 * Per-instance progress of an in-place release as `instance` entries of the release's journal: one
 * short line per instance per phase, so persisted bytes grow linearly with the fleet.
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
    for (const record of records) {
      await this.journal.append({releaseId: this.releaseId, type: 'instance', data: {...record}})
    }
  }

  async load(): Promise<InstanceRecord[]> {
    const entries = await this.journal.read(this.releaseId)
    return entries.filter((e) => e.type === 'instance' && e.data).map((e) => e.data as unknown as InstanceRecord)
  }
}
