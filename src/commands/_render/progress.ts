/**
 * Progress of a running release on stderr: on a terminal, a live view of the steps with the instance
 * counts redrawn in place; elsewhere (CI logs), one timestamped line per step and per change.
 */
import type {ReleaseRecord} from '../../engine/ledger.js'
import type {Outcome, ProgressEvent} from '../../ports/release.js'
import {formatDuration} from '../../util/duration.js'
import {cli, type Output} from '../../util/cli-context.js'

/** How the release the view followed ended: its outcome, or interrupted (Ctrl-C, SIGTERM). */
export interface ViewEnd {
  outcome: Outcome | 'interrupted'
  /** The step whose failure sent the release back, when one did. */
  failedStep?: string
}

export interface ProgressView {
  /** `continued` says how a release that had stopped goes on: resumed, promoted or aborted. */
  start(record: ReleaseRecord, continued?: string): void
  transition(state: string): void
  progress(event: ProgressEvent): void
  /**
   * The release the view reports on, for lines said without a start: a rollout refused at planning,
   * an abort that only waits for the end of a release running in another process.
   */
  follow(releaseId: string): void
  stop(end?: ViewEnd): void
}

export function progressView(stream: Output = cli().stderr, env: NodeJS.ProcessEnv = cli().env): ProgressView {
  if (!stream.isTTY || env.CI) return new StepOrder(new LineView(stream))
  // https://no-color.org: any non-empty NO_COLOR turns colour off; TERM=dumb cannot show it.
  const colour = !env.NO_COLOR && env.TERM !== 'dumb'
  return new StepOrder(new LiveView(stream, colour ? COLOURS : PLAIN))
}

/**
 * A step reports progress as soon as it starts, while the transition into its state is announced
 * only once persisted; this puts each step's heading before its progress, once. What planning says
 * before the release is recorded (drift, keep-warm, enforce) waits for the start line, which names
 * the release, and follows it.
 */
class StepOrder implements ProgressView {
  private current = ''
  /** States announced by their step's progress before their persisted transition arrived. */
  private early: string[] = []
  private started = false
  private releaseId: string | undefined
  /** Said before the start, in order: replayed after it (or at stop, when no start came). */
  private pending: (() => void)[] = []
  constructor(private readonly view: ProgressView) {}
  start(record: ReleaseRecord, continued?: string): void {
    this.started = true
    this.view.start(record, continued)
    this.replay()
  }
  follow(releaseId: string): void {
    this.releaseId = releaseId
    this.view.follow(releaseId)
  }
  transition(state: string): void {
    if (!this.started) {
      this.pending.push(() => this.transition(state))
      return
    }
    const at = this.early.indexOf(state)
    if (at >= 0) {
      this.early = this.early.slice(at + 1)
      return
    }
    this.announce(state)
  }
  progress(event: ProgressEvent): void {
    if (!this.started) {
      this.releaseId ??= event.releaseId
      this.pending.push(() => this.progress(event))
      return
    }
    if (event.step !== this.current) {
      this.announce(event.step)
      this.early.push(event.step)
    }
    this.view.progress(event)
  }
  stop(end?: ViewEnd): void {
    if (!this.started && this.pending.length > 0) {
      // No start line came (refused at planning): what planning said is still shown, under its id.
      this.started = true
      if (this.releaseId !== undefined) this.view.follow(this.releaseId)
      this.replay()
    }
    this.view.stop(end)
  }
  private replay(): void {
    const pending = this.pending
    this.pending = []
    for (const said of pending) said()
  }
  private announce(state: string): void {
    this.current = state
    this.view.transition(state)
  }
}

class LineView implements ProgressView {
  private releaseId = ''
  private lastLine = ''
  constructor(private readonly stream: Output) {}
  start(record: ReleaseRecord, continued?: string): void {
    this.releaseId = record.id
    this.write(`${record.kind} of ${record.target} to ${record.version} ${continued ? `${continued} at ${record.state}` : 'started'} (previous: ${record.previousVersion ?? 'none'})`)
  }
  follow(releaseId: string): void {
    this.releaseId = releaseId
  }
  transition(state: string): void {
    this.write(`-> ${state}`)
  }
  progress(event: ProgressEvent): void {
    this.write(`   ${event.step}: ${event.message}`)
  }
  stop(end?: ViewEnd): void {
    if (!end) return
    if (end.outcome === 'interrupted') this.write('!! interrupted')
    else if (end.failedStep) this.write(`xx ${end.failedStep} failed; ended ${end.outcome}`)
    else this.write(`ended ${end.outcome}`)
  }
  private write(text: string): void {
    if (text === this.lastLine) return
    this.lastLine = text
    this.stream.write(`${new Date().toISOString()} [${this.releaseId}] ${text}\n`)
  }
}

const BAR_WIDTH = 24

type Paint = (text: string) => string
interface Palette {
  ok: Paint
  bad: Paint
  warn: Paint
  dim: Paint
}
const sgr = (code: number): Paint => (text) => `\x1b[${code}m${text}\x1b[0m`
const COLOURS: Palette = {ok: sgr(32), bad: sgr(31), warn: sgr(33), dim: sgr(2)}
const PLAIN: Palette = {ok: (t) => t, bad: (t) => t, warn: (t) => t, dim: (t) => t}

/** What each step came to, as the live view marks it. */
type Mark = 'running' | 'passed' | 'failed' | 'interrupted' | 'paused'

class LiveView implements ProgressView {
  private record: ReleaseRecord | undefined
  private readonly steps: {state: string; note: string; startedAt: number; endedAt?: number; mark: Mark}[] = []
  private counts: ProgressEvent['instances']
  private remaining: {ms: number; at: number} | undefined
  private end: ViewEnd | undefined
  private startedAt = Date.now()
  private drawn = 0
  /** Redraws every second while a release runs, so that elapsed time and countdowns move between events. */
  private ticker: NodeJS.Timeout | undefined
  constructor(
    private readonly stream: Output,
    private readonly paint: Palette,
  ) {}
  follow(): void {
    // The live view names the release in its heading, drawn from the start's record.
  }
  start(record: ReleaseRecord): void {
    this.record = record
    this.startedAt = Date.now()
    this.ticker = setInterval(() => this.draw(), 1000)
    this.ticker.unref()
    this.draw()
  }
  transition(state: string): void {
    const now = Date.now()
    const last = this.steps.at(-1)
    if (last && last.mark === 'running') {
      last.mark = 'passed'
      last.endedAt = now
    }
    this.steps.push({state, note: '', startedAt: now, mark: 'running'})
    this.counts = undefined
    this.remaining = undefined
    this.draw()
  }
  progress(event: ProgressEvent): void {
    const step = this.steps.at(-1)
    if (step) step.note = event.message
    if (event.instances) this.counts = event.instances
    this.remaining = event.remainingMs === undefined ? undefined : {ms: event.remainingMs, at: Date.now()}
    this.draw()
  }
  stop(end?: ViewEnd): void {
    if (this.ticker) clearInterval(this.ticker)
    this.ticker = undefined
    this.end = end
    const now = Date.now()
    const last = this.steps.at(-1)
    for (const step of this.steps) {
      if (step.state === end?.failedStep) step.mark = 'failed'
    }
    if (last && last.mark === 'running') {
      last.endedAt = now
      // A final state (succeeded, rolledBack...) is where the release ended, not a step that ran.
      last.mark = end?.outcome === 'interrupted' ? 'interrupted' : end?.outcome === 'paused' ? 'paused' : end?.outcome === 'failed' && !end.failedStep ? 'failed' : 'passed'
    }
    this.draw(true)
  }
  private symbol(mark: Mark): string {
    const p = this.paint
    switch (mark) {
      case 'running':
        return '>'
      case 'passed':
        return p.ok('✓')
      case 'failed':
        return p.bad('✗')
      case 'interrupted':
        return p.warn('‖')
      case 'paused':
        return p.warn('⏸')
    }
  }
  private draw(final = false): void {
    const now = Date.now()
    const lines: string[] = []
    if (this.record) {
      lines.push(
        `${this.record.kind} ${this.record.id}: ${this.record.target} ${this.record.previousVersion ?? '(none)'} -> ${this.record.version}  ${this.paint.dim(formatDuration(now - this.startedAt, 1000))}`,
      )
    }
    for (const step of this.steps) {
      const took = step.endedAt === undefined ? formatDuration(now - step.startedAt, 1000) : formatDuration(step.endedAt - step.startedAt, 1000)
      const label = step.mark === 'failed' ? this.paint.bad(step.state.padEnd(18)) : step.mark === 'interrupted' ? this.paint.warn(step.state.padEnd(18)) : step.state.padEnd(18)
      lines.push(`  ${this.symbol(step.mark)} ${label} ${this.paint.dim(took.padStart(7))}  ${step.note}`)
    }
    if (!final && this.remaining) {
      const left = Math.max(0, this.remaining.ms - (now - this.remaining.at))
      lines.push(`    ${formatDuration(left, 1000)} left`)
    }
    if (this.counts && !final) lines.push(`    ${bar(this.counts.ready, this.counts.total)} ${this.counts.ready}/${this.counts.total} ready${this.counts.unhealthy ? `, ${this.counts.unhealthy} unhealthy` : ''}`)
    if (final && this.end) lines.push(`  ${this.verdict(this.end)}`)
    const width = this.stream.columns || 100
    const clear = this.drawn > 0 ? `\x1b[${this.drawn}A\x1b[J` : ''
    this.stream.write(clear + lines.map((l) => clip(l, width - 1)).join('\n') + '\n')
    this.drawn = lines.length
  }
  private verdict(end: ViewEnd): string {
    const p = this.paint
    switch (end.outcome) {
      case 'succeeded':
        return p.ok('succeeded')
      case 'interrupted':
        return p.warn('interrupted: persisted where it was')
      case 'paused':
        return p.warn('paused at a gate')
      case 'failed':
        return p.bad(`failed${end.failedStep ? ` at ${end.failedStep}` : ''}: a human is needed`)
      default:
        return p.warn(`${end.outcome}${end.failedStep ? ` (${end.failedStep} failed)` : ''}`)
    }
  }
}

/**
 * Cuts a line to the terminal's width without cutting an escape sequence in half, and without
 * counting escape sequences as columns.
 */
function clip(line: string, width: number): string {
  let visible = 0
  let out = ''
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i)
      if (end < 0) break
      out += line.slice(i, end + 1)
      i = end
      continue
    }
    if (visible >= width) continue
    out += line.charAt(i)
    visible++
  }
  return out
}

function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.round((done / total) * BAR_WIDTH) : 0
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`
}
