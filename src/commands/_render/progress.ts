/**
 * Progress of a running release on stderr: on a terminal, a live view of the steps with the instance
 * counts redrawn in place; elsewhere (CI logs), one timestamped line per step and per change.
 */
import type {ReleaseRecord} from '../../engine/ledger.js'
import type {ProgressEvent} from '../../ports/release.js'

export interface ProgressView {
  /** `continued` says how a release that had stopped goes on: resumed, promoted or aborted. */
  start(record: ReleaseRecord, continued?: string): void
  transition(state: string): void
  progress(event: ProgressEvent): void
  stop(): void
}

export function progressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  return new StepOrder(stream.isTTY && !process.env.CI ? new LiveView(stream) : new LineView(stream))
}

/**
 * A step reports progress as soon as it starts, while the transition into its state is announced
 * only once persisted; this puts each step's heading before its progress, once.
 */
class StepOrder implements ProgressView {
  private current = ''
  /** States announced by their step's progress before their persisted transition arrived. */
  private early: string[] = []
  constructor(private readonly view: ProgressView) {}
  start(record: ReleaseRecord, continued?: string): void {
    this.view.start(record, continued)
  }
  transition(state: string): void {
    const at = this.early.indexOf(state)
    if (at >= 0) {
      this.early = this.early.slice(at + 1)
      return
    }
    this.announce(state)
  }
  progress(event: ProgressEvent): void {
    if (event.step !== this.current) {
      this.announce(event.step)
      this.early.push(event.step)
    }
    this.view.progress(event)
  }
  stop(): void {
    this.view.stop()
  }
  private announce(state: string): void {
    this.current = state
    this.view.transition(state)
  }
}

class LineView implements ProgressView {
  private releaseId = ''
  private lastLine = ''
  constructor(private readonly stream: NodeJS.WritableStream) {}
  start(record: ReleaseRecord, continued?: string): void {
    this.releaseId = record.id
    this.write(`${record.kind} of ${record.target} to ${record.version} ${continued ? `${continued} at ${record.state}` : 'started'} (previous: ${record.previousVersion ?? 'none'})`)
  }
  transition(state: string): void {
    this.write(`-> ${state}`)
  }
  progress(event: ProgressEvent): void {
    this.write(`   ${event.step}: ${event.message}`)
  }
  stop(): void {}
  private write(text: string): void {
    if (text === this.lastLine) return
    this.lastLine = text
    this.stream.write(`${new Date().toISOString()} [${this.releaseId}] ${text}\n`)
  }
}

const BAR_WIDTH = 24

class LiveView implements ProgressView {
  private record: ReleaseRecord | undefined
  private readonly steps: {state: string; note: string}[] = []
  private counts: ProgressEvent['instances']
  private drawn = 0
  constructor(private readonly stream: NodeJS.WriteStream) {}
  start(record: ReleaseRecord): void {
    this.record = record
    this.draw()
  }
  transition(state: string): void {
    this.steps.push({state, note: ''})
    this.counts = undefined
    this.draw()
  }
  progress(event: ProgressEvent): void {
    const step = this.steps.at(-1)
    if (step) step.note = event.message
    if (event.instances) this.counts = event.instances
    this.draw()
  }
  stop(): void {
    this.draw(true)
  }
  private draw(final = false): void {
    const lines: string[] = []
    if (this.record) lines.push(`${this.record.kind} ${this.record.id}: ${this.record.target} ${this.record.previousVersion ?? '(none)'} -> ${this.record.version}`)
    this.steps.forEach((step, i) => {
      const current = i === this.steps.length - 1 && !final
      lines.push(`  ${current ? '>' : '✓'} ${step.state.padEnd(18)} ${step.note}`)
    })
    if (this.counts && !final) lines.push(`    ${bar(this.counts.ready, this.counts.total)} ${this.counts.ready}/${this.counts.total} ready${this.counts.unhealthy ? `, ${this.counts.unhealthy} unhealthy` : ''}`)
    const width = this.stream.columns || 100
    const clear = this.drawn > 0 ? `\x1b[${this.drawn}A\x1b[J` : ''
    this.stream.write(clear + lines.map((l) => l.slice(0, width - 1)).join('\n') + '\n')
    this.drawn = lines.length
  }
}

function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.round((done / total) * BAR_WIDTH) : 0
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`
}
