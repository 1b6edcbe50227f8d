/** Notices of one release, as src/app/start-release.ts, continue-release.ts and drive-release.ts send them. */
import type {TargetConfig} from '../../config/index.js'
import type {ReleaseRecord} from '../../engine/ledger.js'
import type {Notice, NoticeEvent} from '../../ports/notices.js'
import type {StateStore} from '../../ports/store.js'
import {whoAmI} from '../../util/who.js'
import type {Account} from '../account.js'
import {delivererFor, prepareDelivery} from './deliver.js'
import {Notifier, wallClock, type DeliveryTiming, type NoticeClock} from './notifier.js'

export {Notifier} from './notifier.js'
export type {DeliveryTiming, NoticeClock} from './notifier.js'

/** How notices are delivered: tests inject the clock their timeouts and backoff run on. */
export interface NoticeOverrides {
  clock?: NoticeClock
  timing?: Partial<DeliveryTiming>
}

export function notifierFor(
  ws: {store: StateStore; now: () => number; config?: {environment?: string}},
  account: Account,
  target: TargetConfig,
  releaseId: string,
  overrides: NoticeOverrides = {},
): Notifier {
  return new Notifier({
    store: ws.store,
    now: ws.now,
    releaseId,
    environment: ws.config?.environment ?? null,
    destinations: target.notify ?? [],
    deliver: delivererFor(account),
    prepare: prepareDelivery,
    clock: overrides.clock ?? wallClock,
    timing: overrides.timing,
  })
}

export function noticeOf(event: NoticeEvent, record: ReleaseRecord, message: string, now: number, by = whoAmI()): Notice {
  return {
    event,
    target: record.target,
    environment: null,
    releaseId: record.id,
    version: record.version,
    previousVersion: record.previousVersion,
    outcome: record.outcome,
    message,
    by,
    at: new Date(now).toISOString(),
  }
}
