/**
 * Tells a release to the destinations of its target (release.yml `notify:`). Each notice to each
 * destination is recorded in the release's state (releases/<id>/notices.ndjson) as `sending` before
 * it goes and `sent` once the destination confirmed it. A release resumed after a crash sends again
 * only those not confirmed, with the same notice id (`id` in the body, SNS FIFO deduplication id), so
 * a receiver can drop a notice cut off by the crash that did arrive: at least once, never lost, and a
 * confirmed notice is never sent twice. Destinations are told apart by what they are (URL, ARN), not
 * by their place in the list, so editing the list between a crash and the resume is safe. Delivery runs beside the release with retries and backoff on the notice clock; it never
 * holds up a step or fails the release. At the end the release waits for outstanding deliveries for a
 * bounded time only, and a delivery that gave up is a warning in the journal.
 */
import type {NotifyDestination} from '../../config/types.js'
import {createHash} from 'node:crypto'
import {appendJournal} from '../../engine/journal.js'
import {keys} from '../../engine/keys.js'
import type {Notice} from '../../ports/notices.js'
import type {StateStore} from '../../ports/store.js'

export interface DeliveryTiming {
  /** One attempt's limit. */
  timeoutMs: number
  attempts: number
  /** Before the second attempt; doubled before each next one. */
  backoffMs: number
  /** How long the end of a release waits for deliveries still under way. */
  flushMs: number
}

export const DEFAULT_DELIVERY: DeliveryTiming = {timeoutMs: 5_000, attempts: 3, backoffMs: 1_000, flushMs: 20_000}

/**
 * The clock deliveries wait on. A wait given a signal ends early when the signal aborts, so that a
 * timeout no longer needed does not keep the process alive (a VirtualClock in tests ignores it).
 */
export interface NoticeClock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** The wall clock, its waits cancellable. */
export const wallClock: NoticeClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), {once: true})
    }),
}

/** Delivers one notice to one destination, once; throws when it did not arrive. */
export type Deliver = (destination: NotifyDestination, notice: Notice, signal: AbortSignal) => Promise<void>

export interface NotifierOptions {
  store: StateStore
  now: () => number
  releaseId: string
  /** The named environment the release belongs to (null: the implicit one), stamped on every notice. */
  environment?: string | null
  destinations: NotifyDestination[]
  deliver: Deliver
  /** Untimed work before a destination's first attempt (loading its client). */
  prepare?: (destination: NotifyDestination) => Promise<void>
  clock: NoticeClock
  timing?: Partial<DeliveryTiming>
}

export function describeDestination(d: NotifyDestination): string {
  if ('webhook' in d) {
    // A webhook URL is a secret (Slack's carries its token): only its host is shown.
    try {
      return `webhook ${new URL(d.webhook).host}`
    } catch {
      return 'webhook'
    }
  }
  return 'sns' in d ? `SNS topic ${d.sns}` : `EventBridge bus ${d.eventBridge}`
}

/**
 * What a destination is, for the record: a digest of its URL or ARN (a webhook URL is a secret, the
 * state must not hold it), so that the same destination is recognised wherever it is in the list.
 */
export function destinationIdentity(d: NotifyDestination): string {
  const what = 'webhook' in d ? `webhook ${d.webhook}` : 'sns' in d ? `sns ${d.sns}` : `eventBridge ${d.eventBridge}`
  return createHash('sha256').update(what).digest('hex').slice(0, 16)
}

/** The id a notice carries to every destination, the same on a resend: `<release id>:<key>`. */
export function noticeId(releaseId: string, key: string): string {
  return `${releaseId}:${key}`
}

export class Notifier {
  private readonly timing: DeliveryTiming
  /** Confirmed deliveries (from the record), and those this process has started. */
  private sent: Promise<Set<string>> | undefined
  private readonly started = new Set<string>()
  private readonly pending = new Set<Promise<void>>()

  constructor(private readonly options: NotifierOptions) {
    this.timing = {...DEFAULT_DELIVERY, ...options.timing}
  }

  /**
   * Sends `notice` to every destination once per `key` (the event, and the gate for paused and
   * promoted) over the release's life; returns at once.
   */
  async notify(key: string, notice: Notice): Promise<void> {
    const {destinations, store, releaseId} = this.options
    if (destinations.length === 0) return
    const sent = await this.sentKeys()
    const withId: Notice = {...notice, environment: this.options.environment ?? notice.environment, id: noticeId(releaseId, key)}
    for (const destination of destinations) {
      const id = `${key}@${destinationIdentity(destination)}`
      if (sent.has(id) || this.started.has(id)) continue
      this.started.add(id)
      const line = (state: 'sending' | 'sent') => JSON.stringify({id, state, noticeId: withId.id, event: notice.event, to: describeDestination(destination), at: notice.at})
      try {
        await store.append(keys.notices(releaseId), line('sending'))
      } catch {
        continue // Not recorded, not sent: a notice never fails the release.
      }
      const delivery = this.deliverWithRetries(destination, withId)
        .then(async (delivered) => {
          if (delivered) await store.append(keys.notices(releaseId), line('sent')).catch(() => undefined)
        })
        .finally(() => this.pending.delete(delivery))
      this.pending.add(delivery)
    }
  }

  /** Waits for deliveries under way, at most flushMs; what is still under way then is given up. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return
    const all = Promise.all([...this.pending]).then(() => true)
    const stop = new AbortController()
    const done = await Promise.race([all, this.options.clock.sleep(this.timing.flushMs, stop.signal).then(() => false)])
    stop.abort()
    if (!done) await this.warn(`${this.pending.size} notice deliveries still under way after ${this.timing.flushMs / 1000}s were given up`)
  }

  private sentKeys(): Promise<Set<string>> {
    this.sent ??= this.options.store.read(keys.notices(this.options.releaseId)).then(
      (text) =>
        new Set(
          (text ?? '')
            .split('\n')
            .flatMap((line) => {
              try {
                const {id, state} = JSON.parse(line) as {id?: unknown; state?: unknown}
                // A line without a state is an older release's record, written before sending: taken as sent.
                return typeof id === 'string' && (state === 'sent' || state === undefined) ? [id] : []
              } catch {
                return []
              }
            }),
        ),
      () => new Set<string>(),
    )
    return this.sent
  }

  /** True when the destination confirmed it. */
  private async deliverWithRetries(destination: NotifyDestination, notice: Notice): Promise<boolean> {
    const {clock, deliver} = this.options
    const {attempts, timeoutMs} = this.timing
    let wait = this.timing.backoffMs
    let last = ''
    // A failure here shows again in the attempt, with its message.
    await this.options.prepare?.(destination).catch(() => undefined)
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const controller = new AbortController()
      const timeout = clock.sleep(timeoutMs, controller.signal).then(() => 'timeout' as const)
      try {
        const outcome = await Promise.race([deliver(destination, notice, controller.signal).then(() => 'done' as const), timeout])
        if (outcome === 'done') return true
        last = `no answer within ${timeoutMs / 1000}s`
      } catch (error) {
        last = error instanceof Error ? error.message : String(error)
        if ((error as {retryable?: unknown}).retryable === false) break
      } finally {
        controller.abort()
      }
      if (attempt < attempts) {
        await clock.sleep(wait)
        wait *= 2
      }
    }
    await this.warn(`the ${notice.event} notice to ${describeDestination(destination)} was given up: ${last}`)
    return false
  }

  private async warn(message: string): Promise<void> {
    await appendJournal(this.options.store, this.options.releaseId, {type: 'note', message: `warning: ${message}`, now: this.options.now}).catch(() => undefined)
  }
}
