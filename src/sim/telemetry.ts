import type {FleetSummary, SimMetrics, SimService} from './types.js'

/**
 * Per-process counters and observers of a SimAccount, for benchmarks and invariant tests; never
 * persisted. Observers are called after every API call (throttled and failed ones too) with the
 * tracker's summary, which costs nothing per instance to hand over.
 */

export type FleetListener = (summary: FleetSummary) => void

export class Telemetry {
  private calls: Record<string, number> = {}
  private throttled = 0
  private denied = 0
  private network = {before: 0, after: 0}
  private lostAnswers: Record<string, number> = {}
  private readonly listeners = new Set<FleetListener>()

  count(service: SimService, command: string): void {
    const key = `${service}:${command}`
    this.calls[key] = (this.calls[key] ?? 0) + 1
  }

  countThrottled(): void {
    this.throttled += 1
  }

  /** A call refused for lack of permission (faults.allowActions). */
  countDenied(): void {
    this.denied += 1
  }

  /** A call failed by the `network` fault, before the service saw it or after (its answer lost). */
  countNetworkFailure(service: SimService, command: string, when: 'before' | 'after'): void {
    this.network[when] += 1
    const key = `${service}:${command}`
    if (when === 'after') this.lostAnswers[key] = (this.lostAnswers[key] ?? 0) + 1
  }

  metrics(): SimMetrics {
    return {calls: {...this.calls}, throttled: this.throttled, denied: this.denied, networkFailures: {...this.network, lostAnswers: {...this.lostAnswers}}}
  }

  reset(): void {
    this.calls = {}
    this.throttled = 0
    this.denied = 0
    this.network = {before: 0, after: 0}
    this.lostAnswers = {}
  }

  observe(listener: FleetListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Calls every listener with the summary, read only when someone listens. */
  notify(summary: () => FleetSummary): void {
    if (this.listeners.size === 0) return
    const current = summary()
    for (const listener of [...this.listeners]) listener(current)
  }
}
