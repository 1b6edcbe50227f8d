import {countBefore} from '../util/sorted.js'
import type {DocumentRegistry} from './documents.js'
import {keyedState, Random} from './random.js'
import type {Tracker} from './tracker.js'
import type {AccountState, DelayRange, SimFaults, SimTimings, Task, TaskBody} from './types.js'

/** What a call sees besides the persisted state: this process's settings and the derived indexes. */
export interface ModelContext {
  timings: SimTimings
  tracker: Tracker
  documents: DocumentRegistry
}

/**
 * The account's state while one call or one scheduled transition is applied: `now` is the virtual
 * time of that moment (a transition's due time while catching up, else the caller's time).
 */
export class Model {
  readonly random: Random
  readonly timings: SimTimings
  readonly tracker: Tracker
  readonly documents: DocumentRegistry
  now: number

  constructor(
    readonly state: AccountState,
    context: ModelContext,
  ) {
    this.random = new Random(state)
    this.now = state.now
    this.timings = context.timings
    this.tracker = context.tracker
    this.documents = context.documents
  }

  get faults(): SimFaults {
    return this.state.faults
  }

  /**
   * A generator for one stable key: the `n`th draw of a family (e.g. `run:i-123` for that instance's
   * invocations, `call:ssm:ListCommands` for those calls) gets the same numbers in every run of a seed,
   * whatever the order in which other draws were made.
   */
  draw(family: string): Random {
    this.state.drawSeed ??= this.state.rng
    const counts = (this.state.drawCounts ??= {})
    const n = (counts[family] = (counts[family] ?? 0) + 1)
    return new Random({rng: keyedState(this.state.drawSeed, `${family}#${n}`)})
  }

  nextSeq(): number {
    this.state.seq += 1
    return this.state.seq
  }

  delay(range: DelayRange): number {
    return this.random.delay(range)
  }

  /** Schedules a transition `delayMs` from now; ties keep scheduling order. */
  schedule(delayMs: number, body: TaskBody): void {
    const task = {...body, at: this.now + Math.max(0, Math.round(delayMs)), seq: this.nextSeq()}
    const tasks = this.state.tasks
    tasks.splice(
      countBefore(tasks, (other) => other.at < task.at || (other.at === task.at && other.seq < task.seq)),
      0,
      task,
    )
  }

  /**
   * Applies every transition due by `target` in time order (transitions may schedule more), then sets
   * the time. Applied tasks are dropped from the front at the end, in one splice: a task scheduled
   * meanwhile is due no earlier than the one being applied, so it lands behind it.
   */
  advanceTo(target: number, apply: (model: Model, task: Task) => void): void {
    const tasks = this.state.tasks
    let head = 0
    try {
      for (let task = tasks[head]; task !== undefined && task.at <= target; task = tasks[head]) {
        head += 1
        this.now = Math.max(this.now, task.at)
        apply(this, task)
      }
    } finally {
      tasks.splice(0, head)
    }
    this.now = Math.max(this.now, target)
    this.state.now = this.now
  }
}

/** AWS-style ISO timestamps for messages and views. */
export function iso(ms: number): string {
  return new Date(ms).toISOString()
}
