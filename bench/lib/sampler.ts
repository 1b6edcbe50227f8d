/**
 * What each instance of a fleet spends its time on during a rollout, as the simulated account sees
 * it: the physical side of the lower bound. The account is lazy (transitions happen when a call
 * comes in), so between the release's own calls a stepped clock stops every `stepMs` of virtual time
 * and the sampler advances the account to look again; the release's calls are looked at as they come
 * (SimAccount.observe). Every edge is then known to within one step.
 */
import {setImmediate as yieldToLoop} from 'node:timers/promises'
import type {Clock} from '../../src/ports/clock.js'
import type {InstanceSummary, SimAccount} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'

/** A VirtualClock that calls `onStep` at every multiple of `stepMs` a sleep passes over. */
export class SteppedClock implements Clock {
  private readonly inner: VirtualClock
  onStep: ((now: number) => void) | undefined

  constructor(
    private readonly stepMs: number,
    start?: number,
  ) {
    this.inner = new VirtualClock(start)
  }

  now(): number {
    return this.inner.now()
  }

  async sleep(ms: number): Promise<void> {
    if (ms > 0) {
      const end = this.inner.now() + ms
      if (this.onStep) {
        for (let next = (Math.floor(this.inner.now() / this.stepMs) + 1) * this.stepMs; next < end; next += this.stepMs) {
          this.inner.advance(next - this.inner.now())
          this.onStep(next)
        }
      }
      this.inner.advance(end - this.inner.now())
    }
    await yieldToLoop()
  }
}

/** Where an instance is, for the release: in service, or one of the ways of being out of it. */
export const PHASES = ['inService', 'enteringStandby', 'changing', 'returning', 'waitingToChange', 'waitingToReturn', 'otherOut'] as const
export type Phase = (typeof PHASES)[number]
export const IN_SERVICE = 0
export const ENTERING = 1
export const CHANGING = 2
export const RETURNING = 3
/** In Standby on the version it started with: waiting for the release to send the change. */
export const WAITING_TO_CHANGE = 4
/** In Standby on another version: changed, waiting for the release to return it to service. */
export const WAITING_TO_RETURN = 5
export const OTHER = 6

function phaseOf(i: InstanceSummary, startVersion: string | undefined): number {
  if (i.lifecycle === 'EnteringStandby') return ENTERING
  if (i.changing) return CHANGING
  // An incremental rollout launches nothing: Pending is an instance on its way back from Standby.
  if (i.lifecycle === 'Pending') return RETURNING
  if (i.lifecycle === 'Standby') return i.version === startVersion ? WAITING_TO_CHANGE : WAITING_TO_RETURN
  if (i.lifecycle === 'InService') return IN_SERVICE
  return OTHER
}

export interface FleetTimes {
  instances: number
  /** Instance id of each slot of perInstance. */
  ids: string[]
  /** Per instance: milliseconds spent in each phase (index = PHASES). */
  perInstance: Float64Array[]
  /** Sum over instances of the necessary work: entering Standby + changing + returning. */
  workMs: number
  /** The instance whose work took longest. */
  slowestWorkMs: number
  /** Instances in Standby, changed or not yet changed, waiting for the release to act. */
  idleMs: number
  /** Instances out of service over time: at each look, [virtual ms, count] (a step function). */
  outSeries: [number, number][]
  otherOutMs: number
  /** Most instances out of service at one look. */
  maxOut: number
  /** CPU the sampler itself used (subtracted from the process's figures). */
  samplerCpuMs: number
}

export class FleetSampler {
  private index = new Map<string, number>()
  private live: readonly InstanceSummary[] = []
  private mapped: readonly InstanceSummary[] | undefined
  private slotOf = new Int32Array(0)
  private startVersion: (string | undefined)[] = []
  private readonly series: [number, number][] = []
  private phase = new Uint8Array(0)
  private since = new Float64Array(0)
  private acc: Float64Array[] = []
  private out = 0
  private maxOut = 0
  private cpuMicros = 0
  private stopObserving: (() => void) | undefined

  constructor(
    private readonly sim: SimAccount,
    private readonly clock: SteppedClock,
  ) {}

  start(): void {
    this.stopObserving = this.sim.observe((summary) => {
      this.live = summary.instances
      this.look(this.clock.now())
    })
    this.clock.onStep = (now) => this.probe(now)
  }

  /** Advances the account to `now` without an API call of its own, then looks. */
  private probe(now: number): void {
    if (this.live.length === 0) return
    const started = process.cpuUsage()
    // Setting the faults the account already has changes nothing but moves it to the clock's time;
    // the summaries handed to observers are live objects, kept current as transitions apply.
    this.sim.setFaults(this.sim.faults)
    this.cpuMicros += cpuSince(started)
    this.look(now)
  }

  private look(now: number): void {
    const started = process.cpuUsage()
    const live = this.live
    if (live !== this.mapped) this.remap(live, now)
    const slots = this.slotOf
    for (let k = 0; k < live.length; k++) {
      const i = slots[k]!
      if (i < 0) continue
      const p = phaseOf(live[k]!, this.startVersion[i])
      const was = this.phase[i]!
      if (p === was) continue
      this.acc[was]![i]! += now - this.since[i]!
      this.phase[i] = p
      this.since[i] = now
      if (was === IN_SERVICE) this.out++
      else if (p === IN_SERVICE) this.out--
    }
    if (this.out > this.maxOut) this.maxOut = this.out
    const last = this.series.at(-1)
    if (last && last[0] === now) last[1] = this.out
    else if (!last || last[1] !== this.out) this.series.push([now, this.out])
    this.cpuMicros += cpuSince(started)
  }

  /** The account hands over a new list when instances come or go: map its positions to our slots. */
  private remap(live: readonly InstanceSummary[], now: number): void {
    if (this.index.size === 0) {
      live.forEach((s, i) => this.index.set(s.id, i))
      this.phase = new Uint8Array(live.length)
      this.since = new Float64Array(live.length).fill(now)
      this.acc = PHASES.map(() => new Float64Array(live.length))
      this.startVersion = live.map((s) => s.version)
    }
    // Instances launched during the rollout (not expected in place) are not tracked.
    this.slotOf = Int32Array.from(live, (s) => this.index.get(s.id) ?? -1)
    this.mapped = live
  }

  finish(): FleetTimes {
    const now = this.clock.now()
    this.look(now)
    this.stopObserving?.()
    this.clock.onStep = undefined
    for (let i = 0; i < this.phase.length; i++) {
      this.acc[this.phase[i]!]![i]! += now - this.since[i]!
      this.since[i] = now
    }
    let workMs = 0
    let slowestWorkMs = 0
    for (let i = 0; i < this.phase.length; i++) {
      const work = this.acc[ENTERING]![i]! + this.acc[CHANGING]![i]! + this.acc[RETURNING]![i]!
      workMs += work
      slowestWorkMs = Math.max(slowestWorkMs, work)
    }
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0)
    return {
      instances: this.phase.length,
      ids: [...this.index.keys()],
      perInstance: this.acc,
      workMs,
      slowestWorkMs,
      idleMs: sum(this.acc[WAITING_TO_CHANGE]!) + sum(this.acc[WAITING_TO_RETURN]!),
      outSeries: this.series,
      otherOutMs: sum(this.acc[OTHER]!),
      maxOut: this.maxOut,
      samplerCpuMs: this.cpuMicros / 1000,
    }
  }
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start)
  return d.user + d.system
}
