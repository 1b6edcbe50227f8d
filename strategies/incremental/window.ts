import {isUnregisteredRefusal, UNDELIVERED_INVOCATION_STATUSES, type InvocationResult} from '../../src/ports/commands.js'
import type {GroupInfo, InstanceInfo} from '../../src/ports/fleet.js'
import type {InstancePhase, InstanceRecord} from '../../src/ports/instance-journal.js'
import {printableText} from '../../src/util/text.js'
import {neverRegistered} from '../agents.js'
import {isServing, isUnhealthy, passingMs} from '../instance-health.js'
import {changeCommand} from './change.js'
import {changeComment} from './comment.js'
import {CommandOutcomes} from './outcomes.js'
import type {IncrementalDeps} from './deps.js'
import {type LookKind, PollPlan, type PollPlanSettings} from './poll-plan.js'
import {IN_FLIGHT, OUT_OF_SERVICE, type PassState} from './progress.js'
import {WriteAhead} from './write-ahead.js'

/** One pass of a sliding window over a fleet: the release itself, or the way back. */
export interface WindowJob {
  releaseId: string
  pass: 'forward' | 'restore'
  /** The machine state doing the pass, for progress reports. */
  state: string
  /**
   * Instances to change, in order, with the version each must end on. `returnOnly`: the instance
   * never received a change (undeliverable), so it is only returned to service, sent nothing.
   */
  instances: {instanceId: string; version: string; returnOnly?: boolean}[]
  /** At most this many instances out of service at once, counting `alsoOut`. */
  window: number
  /** Failures tolerated before the pass stops starting instances (Infinity: try every one). */
  maxErrors: number
  /** Failures already counted against maxErrors (e.g. in the canary). */
  failuresBefore: number
  /** Times a failed change is sent again before the instance counts as failed (the way back tries harder). */
  retries: number
  /** The Auto Scaling group, when the fleet is one; instances then go to Standby while they change if `standby`. */
  group: string | null
  standby: boolean
  /** The group's ELB target groups: an instance back from Standby must be healthy in every one. */
  targetGroups: string[]
  /** This pass's records so far (from the journal), so that a resumed pass goes on where it was. */
  records: PassState
  /** Instances of other scopes of this pass that are out of service now (e.g. the canary's failed ones). */
  alsoOut: number
  append(records: InstanceRecord[]): Promise<void>
}

export interface WindowResult {
  changed: string[]
  failed: {instanceId: string; reason: string}[]
  /** Instances the group terminated during the pass (see the phase 'gone'). */
  gone: string[]
}

/** The pass stopped: more failures than allowed, or an instance unhealthy after its change. */
export class WindowStopped extends Error {
  constructor(
    message: string,
    readonly result: WindowResult,
  ) {
    super(message)
  }
}

interface Tracked {
  version: string
  returnOnly: boolean
  attempts: number
  phase: InstancePhase
  at: number
  commandId?: string
  reason?: string
  /** Written ahead of sends to come (InstanceRecord.ahead): a resumed pass that finds no command takes it as planned. */
  ahead?: boolean
}

/**
 * A new instance starts as soon as one finishes, never more than `window` out of service (not fixed
 * batches). Each look reads the fleet once (one DescribeAutoScalingGroups) and the commands in
 * aggregate (ListCommands, then ListCommandInvocations only for commands whose counts moved), then
 * acts in batches: EnterStandby and ExitStandby of everything due, one SendCommand per version.
 * API calls grow with looks and batches, not with instances times looks.
 *
 * One look is four named parts: observe (read the account), advance (move each instance in flight
 * by what was read), act (return the changed, send the changes), fill (start queued instances in the
 * places that are free); then the changes are journaled and the planner says when to look next.
 */
export async function runWindow(deps: IncrementalDeps, job: WindowJob): Promise<WindowResult> {
  const pass = new WindowPass(deps, job, await healthCheckMs(deps, job))
  await pass.resume()
  for (;;) {
    const look = await pass.observe()
    pass.advance(look)
    await pass.act(look)
    await pass.fill(look)
    const result = await pass.record(look)
    if (result) return result
    await pass.waitForNextLook(look)
  }
}

/** What one look read, and what it decided: the records to journal, the instances to send and return. */
interface Look {
  now: number
  /** A full look reads the group, the commands and the load balancer; a standby look only the group. */
  full: boolean
  changes: InstanceRecord[]
  lifecycle: Map<string, InstanceInfo>
  groupInfo: GroupInfo | undefined
  results: Map<string, InvocationResult>
  targetHealth: Map<string, TargetVerdict>
  toSend: string[]
  toReturn: string[]
}

type Move = (id: string, phase: InstancePhase, extra?: {commandId?: string; reason?: string; undelivered?: boolean}) => void

/** The state of one pass between looks: each instance's phase, the queue, what was seen of the commands. */
class WindowPass {
  private readonly tracked = new Map<string, Tracked>()
  private queue: string[] = []
  private readonly outcomes: CommandOutcomes
  /** Instances SendCommand refused as not (yet) managed, since when: sent again once their agent is listed. */
  private readonly unregistered = new Map<string, number>()
  private stopping: string | null = null
  private readonly plan: PollPlan
  /** The look before this one: an instance seen past a phase now ended between the two. */
  private previousLook = Number.NEGATIVE_INFINITY
  private kind: LookKind = 'full'
  /** The last read of the group, and whether a standby look made it since the last full look (see readGroup). */
  private groupRead: {info: GroupInfo | undefined; sinceFull: boolean} | undefined
  private readonly ahead: WriteAhead

  /** `healthMs`: how long the load balancer takes to pass an instance back in service (healthCheckMs). */
  constructor(
    private readonly deps: IncrementalDeps,
    private readonly job: WindowJob,
    healthMs: number,
  ) {
    for (const {instanceId, version, returnOnly} of job.instances) {
      const record = job.records.get(instanceId)
      this.tracked.set(instanceId, {version, returnOnly: returnOnly === true, attempts: 0, phase: record?.phase ?? 'planned', at: record?.at ?? 0, commandId: record?.commandId, reason: record?.reason, ahead: record?.ahead})
    }
    // What the next looks send: those on their way into Standby, then the queue.
    const upcoming = () => [...this.ids('enteringStandby'), ...this.queue].filter((id) => !this.trackedOf(id).returnOnly)
    this.ahead = new WriteAhead(job, upcoming, job.records)
    this.plan = new PollPlan(pollPlanSettings(deps.settings, job.window, healthMs))
    this.outcomes = new CommandOutcomes(deps, job.window)
  }

  /** A resumed pass re-attaches to the commands it sent, and queues the instances not started. */
  async resume(): Promise<void> {
    await reattach(this.deps, this.job, this.tracked)
    // Written ahead of a send that never came: it starts again from the queue.
    for (const t of this.tracked.values()) if (t.ahead && t.phase === 'changing' && t.commandId === undefined) t.phase = 'planned'
    this.queue = this.ids('planned')
    for (const t of this.tracked.values()) if (t.commandId) this.outcomes.sent(t.commandId, t.at)
  }

  /** Observe: the group once, the commands in aggregate, the load balancer for those due. */
  async observe(): Promise<Look> {
    const {deps, job, tracked} = this
    const now = deps.clock.now()
    const full = this.kind === 'full'
    const look: Look = {now, full, changes: [], lifecycle: new Map(), groupInfo: undefined, results: new Map(), targetHealth: new Map(), toSend: [], toReturn: []}
    // One read of the group a look, shared with the Standby calls (they would read it again), when an
    // instance moves through the group's states or one may start: not while all only change.
    const groupMoves = [...tracked.values()].some((t) => t.phase === 'enteringStandby' || t.phase === 'returning')
    const mayStart = full && this.queue.length > 0 && job.window - this.outOfService() > 0
    if (job.group && (groupMoves || mayStart)) {
      look.groupInfo = await this.readGroup(job.group, full)
      for (const instance of look.groupInfo?.instances ?? []) look.lifecycle.set(instance.id, instance)
    } else if (full) {
      // A full look that needed no read still ends what the last one told: the next full look reads anew.
      this.groupRead = undefined
    }
    // An instance the group terminated (a failed health check, a scale-in, a person) is gone: it is
    // never started, and one on its way into or out of Standby is no longer waited for.
    if (look.groupInfo) {
      for (const [id, t] of tracked) {
        if ((t.phase === 'planned' || t.phase === 'enteringStandby' || t.phase === 'returning') && isGone(look.lifecycle.get(id))) {
          this.move(look, id, 'gone', {reason: `terminated by its Auto Scaling group during the release${t.phase === 'returning' ? ' after its change' : ''}`})
          const queued = this.queue.indexOf(id)
          if (queued >= 0) this.queue.splice(queued, 1)
        }
      }
    }
    // A standby look reads the group only: the changes and the load balancer wait for the next full one.
    if (full) {
      look.results = await this.outcomes.finished(this.activeCommands(), (commandId) => this.changingWith(commandId))
      // The load balancer is asked about instances whose check should be over by now, not every look.
      look.targetHealth = await returningTargetHealth(deps, job, tracked, look.lifecycle, (t) => this.plan.due('returning', t.at, now) || now > this.deadlineOf(t))
    }
    return look
  }

  /**
   * The group as a look needs it. A full look takes the read of the standby look since the last full
   * one, when there was one (a few seconds after that full look, a gap ago at most): one call a gap
   * instead of two. What it costs: an instance that reached Standby after that read is sent its change
   * a look later, and one the group terminated since is seen gone a look later; Standby calls on
   * instances that left since are refused and made again without them (the fleet adapter).
   */
  private async readGroup(group: string, full: boolean): Promise<GroupInfo | undefined> {
    const reused = full && this.groupRead?.sinceFull === true ? this.groupRead : undefined
    const info = reused ? reused.info : await this.deps.fleet.describeGroup(group)
    this.groupRead = {info, sinceFull: !full}
    return info
  }

  /** Advance every instance in flight by what the look saw; those to send or return are collected for act. */
  advance(look: Look): void {
    for (const [id, t] of this.tracked) {
      if (t.phase === 'enteringStandby') this.advanceEntering(look, id, t)
      else if (t.phase === 'changing') this.advanceChanging(look, id, t)
      else if (t.phase === 'returning' && look.full) this.advanceReturning(look, id, t)
    }
    this.stopping ??= this.overMaxErrors()
  }

  private advanceEntering(look: Look, id: string, t: Tracked): void {
    if (look.lifecycle.get(id)?.lifecycle === 'Standby') {
      this.plan.learn('enteringStandby', t.at, this.previousLook, look.now)
      ;(t.returnOnly ? look.toReturn : look.toSend).push(id)
    } else if (look.now > this.deadlineOf(t)) {
      this.move(look, id, 'failed', {reason: `did not reach Standby within ${this.deps.settings.timeouts.standbyMs / 1000}s`})
    }
  }

  private advanceChanging(look: Look, id: string, t: Tracked): void {
    const {job} = this
    if (t.commandId === undefined) {
      // Written ahead of a send that did not finish (a resumed release): whether it reached the
      // instance is unknown, and sending the same change again is what a change allows.
      look.toSend.push(id)
      return
    }
    // Only the invocation of the command sent last counts: an earlier attempt's failure is history.
    const result = look.results.get(`${t.commandId}:${id}`)
    if (!result) {
      if (look.full && look.now > this.deadlineOf(t)) this.move(look, id, 'failed', {reason: 'the change did not finish in time'})
      return
    }
    this.plan.learn('changing', t.at, this.previousLook, look.now)
    if (result.ok) {
      if (job.group && job.standby) look.toReturn.push(id)
      else if (job.group) this.move(look, id, 'returning')
      else this.move(look, id, 'done')
    } else if (t.attempts < job.retries) {
      t.attempts++
      look.toSend.push(id)
    } else {
      // What an instance prints is shown to people: only what prints as itself, and its end, where
      // the error is (SSM appends standard error to the output).
      const reason = `${result.status}${result.output ? `: ${lastChars(printableText(result.output), OUTPUT_SHOWN)}` : ''}`
      // A change that never reached the instance (its first and only attempt) left it as it was.
      const undelivered = t.attempts === 0 && UNDELIVERED_INVOCATION_STATUSES.has(result.status)
      this.move(look, id, 'failed', {reason: undelivered ? `${result.status}: Systems Manager could not deliver the change, so the instance was not changed` : reason, ...(undelivered ? {undelivered} : {})})
    }
  }

  private advanceReturning(look: Look, id: string, t: Tracked): void {
    const {deps, job} = this
    const info = look.lifecycle.get(id)
    // Traffic sees the application: InService and Healthy (EC2 status checks) is not enough while
    // the group has target groups; the instance must pass the load balancer's check in every one.
    // Not asked this look (its check is not due yet): not healthy yet, when there are target groups to pass.
    const unasked: TargetVerdict = deps.targets && job.targetGroups.length > 0 ? {healthy: false} : {healthy: true}
    const verdict = info && isServing(info) ? (look.targetHealth.get(id) ?? unasked) : undefined
    if (verdict?.healthy) {
      this.plan.learn('returning', t.at, this.previousLook, look.now)
      this.move(look, id, 'done')
    } else if (info && (isUnhealthy(info) || (isServing(info) && verdict?.failed !== undefined))) {
      const why = verdict?.failed ?? 'unhealthy'
      this.move(look, id, 'failed', {reason: `${why} after the change`})
      if (job.pass === 'forward') this.stopping ??= `instance ${id} is ${why} after its change to ${t.version}`
    } else if (look.now > this.deadlineOf(t)) {
      const not = verdict?.waiting ? `healthy in every target group (${verdict.waiting})` : 'InService and healthy'
      this.move(look, id, 'failed', {reason: `not ${not} within ${deps.settings.timeouts.healthMs / 1000}s`})
    }
  }

  /** Act, in batches: ExitStandby of the changed, one SendCommand per version for those in Standby. */
  async act(look: Look): Promise<void> {
    const {deps, job} = this
    const move: Move = (id, phase, extra) => this.move(look, id, phase, extra)
    if (look.toReturn.length > 0) {
      // Only a pass over a group puts instances into Standby (advanceEntering, advanceChanging).
      if (job.group === null) throw new Error(`instances ${look.toReturn.join(', ')} are to return from Standby, but the pass has no Auto Scaling group`)
      await deps.fleet.exitStandby(job.group, look.toReturn, look.groupInfo)
      for (const id of look.toReturn) move(id, 'returning')
    }
    const sendable = await registeredOnly(deps, look.toSend, this.unregistered, move)
    const sendFailure = await sendChanges(deps, job, this.tracked, sendable, move, this.outcomes, this.unregistered, this.ahead)
    this.stopping ??= sendFailure ?? null
    // An instance whose agent never came back failed just now, in registeredOnly: counted before the window fills.
    this.stopping ??= this.overMaxErrors()
  }

  /** Fill the window: queued instances into the free places (a full look only), into Standby or sent their change. */
  async fill(look: Look): Promise<void> {
    const {deps, job} = this
    const starting: string[] = []
    const batchDone = deps.settings.windowPolicy !== 'fixed' || this.inFlight() === 0
    if (!this.stopping && batchDone && look.full) {
      const free = job.window - this.outOfService()
      if (free <= 0 && this.inFlight() === 0 && this.queue.length > 0) {
        this.stopping = `every place in the window (${job.window}) is held by a failed instance`
      }
      starting.push(...this.queue.splice(0, Math.max(free, 0)))
    }
    if (starting.length === 0) return
    if (job.group && job.standby) {
      await deps.fleet.enterStandby(job.group, starting, look.groupInfo)
      for (const id of starting) this.move(look, id, 'enteringStandby')
      return
    }
    // Without Standby, an instance that is only to be returned is where it should be already.
    for (const id of starting.filter((id) => this.trackedOf(id).returnOnly)) this.move(look, id, 'done')
    const move: Move = (id, phase, extra) => this.move(look, id, phase, extra)
    const startFailure = await sendChanges(deps, job, this.tracked, starting.filter((id) => !this.trackedOf(id).returnOnly), move, this.outcomes, this.unregistered, this.ahead)
    this.stopping ??= startFailure ?? null
  }

  /** Journals the look's changes and reports progress; the pass's result once nothing is in flight and nothing may start. */
  async record(look: Look): Promise<WindowResult | undefined> {
    // A pass that ends takes back the write-aheads of instances it never started.
    const ending = this.inFlight() === 0 && (this.queue.length === 0 || this.stopping !== null)
    if (ending) look.changes.push(...this.ahead.takeBack((id) => this.trackedOf(id).phase === 'planned', look.now))
    if (look.changes.length > 0) await this.job.append(look.changes)
    report(this.deps, this.job, this.tracked, this.queue.length)
    if (this.inFlight() > 0 || (this.queue.length > 0 && !this.stopping)) return undefined
    const result = {
      changed: this.ids('done'),
      failed: [...this.tracked].filter(([, t]) => t.phase === 'failed').map(([id, t]) => ({instanceId: id, reason: t.reason ?? 'failed'})),
      gone: this.ids('gone'),
    }
    if (this.stopping) throw new WindowStopped(this.stopping, result)
    return result
  }

  /** Sleeps until the planner's next look, and remembers what kind of look it is. */
  async waitForNextLook(look: Look): Promise<void> {
    this.previousLook = look.now
    const inFlightNow = [...this.tracked.values()].filter((t) => IN_FLIGHT.has(t.phase)).map((t) => ({phase: t.phase, since: t.at}))
    const next = this.plan.nextLook(this.deps.clock.now(), inFlightNow)
    this.kind = next.kind
    await this.deps.clock.sleep(next.delayMs)
  }

  private move(look: Look, id: string, phase: InstancePhase, extra: {commandId?: string; reason?: string; undelivered?: boolean} = {}): void {
    const t = this.trackedOf(id)
    Object.assign(t, {phase, at: look.now, ...extra})
    look.changes.push({instanceId: id, pass: this.job.pass, phase, at: look.now, ...extra})
  }

  /** The commands of the instances changing now (the last sent to each). */
  private activeCommands(): string[] {
    return [...new Set([...this.tracked.values()].flatMap((t) => (t.phase === 'changing' && t.commandId !== undefined ? [t.commandId] : [])))]
  }

  private changingWith(commandId: string): string[] {
    return [...this.tracked].filter(([, t]) => t.phase === 'changing' && t.commandId === commandId).map(([id]) => id)
  }

  private trackedOf(id: string): Tracked {
    return trackedIn(this.tracked, id)
  }

  private deadlineOf(t: Tracked): number {
    const {standbyMs, applyMs, verifyMs, healthMs} = this.deps.settings.timeouts
    if (t.phase === 'enteringStandby') return t.at + standbyMs
    if (t.phase === 'changing') return t.at + applyMs + verifyMs
    return t.at + healthMs
  }

  private ids(phase: InstancePhase): string[] {
    return [...this.tracked].filter(([, t]) => t.phase === phase).map(([id]) => id)
  }

  private inFlight(): number {
    return [...this.tracked.values()].filter((t) => IN_FLIGHT.has(t.phase)).length
  }

  private outOfService(): number {
    return [...this.tracked.values()].filter((t) => OUT_OF_SERVICE.has(t.phase)).length + this.job.alsoOut
  }

  private overMaxErrors(): string | null {
    const {job, tracked} = this
    const failed = job.failuresBefore + this.ids('failed').length
    return failed > job.maxErrors ? `${failed} instances failed, more than maxErrors (${job.maxErrors}): ${describeFailed(tracked)}` : null
  }
}

/** The planner's settings: the poll interval is its prior and its shortest gap; the gap aimed at is the benchmarks' or the default. */
export function pollPlanSettings(settings: IncrementalDeps['settings'], window: number, healthMs: number): PollPlanSettings {
  return {pollIntervalMs: settings.pollIntervalMs, gapMs: settings.poll?.gapMs ?? DEFAULT_POLL_GAP_MS, window, healthMs}
}

/** The gap between full looks for a window of 100 places, chosen from the frontier bench/ prints. */
export const DEFAULT_POLL_GAP_MS = 32_000

/**
 * How long the load balancer takes to pass an instance that is back InService: HealthyThresholdCount
 * checks, one per HealthCheckIntervalSeconds, in the slowest of the group's target groups (read once a
 * pass); 0 when no target group checks the fleet.
 */
async function healthCheckMs(deps: IncrementalDeps, job: WindowJob): Promise<number> {
  if (!deps.targets || job.targetGroups.length === 0 || !job.standby) return 0
  const {found} = await deps.targets.describeTargetGroups(job.targetGroups)
  return passingMs(found)
}

/**
 * A resumed pass: instances written ahead as changing without a command id may have been sent their
 * change by the process that died (the journal defers the records carrying command ids to its next
 * write). The commands it sent carry this pass's comment: those found are re-attached, not sent again.
 */
async function reattach(deps: IncrementalDeps, job: WindowJob, tracked: Map<string, Tracked>): Promise<void> {
  // On its way into Standby: a write-ahead that covered it may have been followed by its send.
  const unknown = [...tracked].filter(([, t]) => (t.phase === 'changing' || t.phase === 'enteringStandby') && t.commandId === undefined)
  if (unknown.length === 0) return
  const since = Math.min(...unknown.map(([, t]) => t.at))
  const versions = new Set(unknown.map(([, t]) => t.version))
  for (const version of versions) {
    for (const sent of await deps.commands.sentWith(changeComment(job.releaseId, job.pass, version), since)) {
      for (const id of sent.instanceIds) {
        const t = tracked.get(id)
        if ((t?.phase === 'changing' || t?.phase === 'enteringStandby') && t.commandId === undefined && t.version === version) Object.assign(t, {phase: 'changing', commandId: sent.commandId})
      }
    }
  }
}

/** An instance of the pass: every id the pass handles comes from its own list, so a missing one is a bug here. */
function trackedIn(tracked: Map<string, Tracked>, id: string): Tracked {
  const t = tracked.get(id)
  if (t === undefined) throw new Error(`instance ${id} is not one of this pass's instances`)
  return t
}

/** How much of what a failed change printed its reason shows: the end of it. */
const OUTPUT_SHOWN = 200

/** The last `n` characters of `text`, marked as cut when it is longer. */
function lastChars(text: string, n: number): string {
  return text.length > n ? `…${text.slice(-n)}` : text
}

/** Not in the group any more, or on its way out. */
function isGone(info: InstanceInfo | undefined): boolean {
  return info === undefined || info.lifecycle.startsWith('Terminat')
}

/** Where an instance back in service stands with the load balancer, over all the group's target groups. */
interface TargetVerdict {
  healthy: boolean
  /** Set when a target group found it unhealthy: which, and ELB's reason. */
  failed?: string
  /** Set while some target group has not passed it yet: which, and its state. */
  waiting?: string
}

/**
 * The target health of the instances back InService (one DescribeTargetHealth per target group per
 * tick, for all of them): healthy only when healthy in every target group.
 */
async function returningTargetHealth(
  deps: IncrementalDeps,
  job: WindowJob,
  tracked: Map<string, Tracked>,
  lifecycle: Map<string, InstanceInfo>,
  due: (t: Tracked) => boolean,
): Promise<Map<string, TargetVerdict>> {
  const verdicts = new Map<string, TargetVerdict>()
  if (!deps.targets || job.targetGroups.length === 0) return verdicts
  const returned = [...tracked].filter(([id, t]) => t.phase === 'returning' && lifecycle.get(id)?.lifecycle === 'InService')
  // Only when one of them should have passed by now; then all of them are asked about, in one call.
  if (!returned.some(([, t]) => due(t))) return verdicts
  const back = returned.map(([id]) => id)
  for (const id of back) verdicts.set(id, {healthy: true})
  for (const targetGroup of job.targetGroups) {
    const name = targetGroupName(targetGroup)
    for (const health of await deps.targets.describeTargetHealth(targetGroup, back)) {
      const verdict = verdicts.get(health.instanceId)
      if (!verdict || health.state === 'healthy') continue
      verdict.healthy = false
      if (health.state === 'unhealthy') verdict.failed ??= `unhealthy in target group ${name}${health.reason ? ` (${health.reason})` : ''}`
      else verdict.waiting ??= `${name}: ${health.state}`
    }
  }
  return verdicts
}

/** The name part of a target group ARN (…:targetgroup/<name>/<id>), for messages. */
function targetGroupName(arn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn
}

/** The failed instances and why, for the message a stopped pass ends with (the first 10). */
function describeFailed(tracked: Map<string, Tracked>): string {
  const failed = [...tracked].filter(([, t]) => t.phase === 'failed')
  // Instances that failed alike (the same change printing the same error) are named together, their reason once.
  const byReason = new Map<string, string[]>()
  for (const [id, t] of failed.slice(0, 10)) {
    const reason = (t.reason ?? 'failed').split('\n')[0] ?? 'failed'
    byReason.set(reason, [...(byReason.get(reason) ?? []), id])
  }
  const shown = [...byReason].map(([reason, ids]) => `${ids.join(', ')} (${reason})`)
  return shown.join('; ') + (failed.length > 10 ? ` and ${failed.length - 10} more` : '')
}

/**
 * Of the instances about to be sent a change, those SendCommand refused as unregistered go only once
 * DescribeInstanceInformation lists them; one still missing after the verify timeout failed, never
 * reached (its agent never registered). Asks only about the refused ones: nothing in the usual case.
 */
async function registeredOnly(
  deps: IncrementalDeps,
  ids: string[],
  unregistered: Map<string, number>,
  move: (id: string, phase: InstancePhase, extra?: {reason?: string; undelivered?: boolean}) => void,
): Promise<string[]> {
  const waiting = new Map(ids.flatMap((id) => {
    const since = unregistered.get(id)
    return since === undefined ? [] : [[id, since] as const]
  }))
  if (waiting.size === 0) return ids
  const listed = new Set(await deps.commands.managedInstances([...waiting.keys()]))
  const bound = deps.settings.timeouts.verifyMs
  const now = deps.clock.now()
  for (const [id, since] of waiting) {
    if (listed.has(id)) unregistered.delete(id)
    else if (now - since > bound) {
      unregistered.delete(id)
      move(id, 'failed', {reason: neverRegistered([id], 1, bound), undelivered: true})
    }
  }
  return ids.filter((id) => !waiting.has(id) || listed.has(id))
}

/** The port sends in chunks of this many instances, in order: chunk k holds ids[50k .. 50k+49]. */
const INSTANCES_PER_SEND = 50

/**
 * One SendCommand per version (the port splits each into calls of at most 50 instances). Write ahead:
 * every instance is journaled as changing, without a command id, before the call that may change it,
 * so that the way back knows it even if the send fails halfway or the process dies during it (one
 * write-ahead covers the sends of several looks: write-ahead.ts). A send
 * that fails marks the instances it may not have reached as failed (the way back restores them) and
 * keeps those of the chunks that went through, to be watched to their end; returns why the pass stops.
 */
async function sendChanges(
  deps: IncrementalDeps,
  job: WindowJob,
  tracked: Map<string, Tracked>,
  instanceIds: string[],
  move: (id: string, phase: InstancePhase, extra?: {commandId?: string; reason?: string}) => void,
  outcomes: CommandOutcomes,
  unregistered: Map<string, number>,
  ahead: WriteAhead,
): Promise<string | undefined> {
  const byVersion = new Map<string, string[]>()
  for (const id of instanceIds) {
    const {version} = trackedIn(tracked, id)
    byVersion.set(version, [...(byVersion.get(version) ?? []), id])
  }
  let stopping: string | undefined
  for (const [version, ids] of byVersion) {
    const comment = changeComment(job.releaseId, job.pass, version)
    const at = deps.clock.now()
    await ahead.before(ids, at)
    let commandIds: string[]
    let failure: string | undefined
    let sendError: unknown
    try {
      commandIds = await deps.commands.send(changeCommand(deps.settings.change, version, ids, comment))
    } catch (error) {
      sendError = error
      commandIds = sentBefore(error)
      failure = `SendCommand failed after ${commandIds.length} of ${Math.ceil(ids.length / INSTANCES_PER_SEND)} calls: ${error instanceof Error ? error.message : String(error)}`
    }
    // Refused as not managed (yet): the agent registers a while after boot, so those not sent stay
    // written ahead as changing, to be sent again once their agent is listed (registeredOnly).
    const notYet = failure !== undefined && isUnregisteredRefusal(sendError)
    ids.forEach((id, i) => {
      const commandId = commandIds[Math.floor(i / INSTANCES_PER_SEND)] ?? (failure === undefined ? commandIds.at(-1) : undefined)
      if (commandId === undefined && notYet) {
        if (!unregistered.has(id)) unregistered.set(id, deps.clock.now())
        move(id, 'changing', {commandId: undefined})
        return
      }
      if (commandId === undefined) {
        move(id, 'failed', {reason: failure ?? `SendCommand returned no command id for ${id}`})
        return
      }
      outcomes.sent(commandId, deps.clock.now())
      move(id, 'changing', {commandId})
    })
    if (failure !== undefined && !notYet) stopping ??= failure
  }
  return stopping
}

/** The command ids of the chunks a failed send got through (the port's PartialSendError carries them). */
function sentBefore(error: unknown): string[] {
  const ids = (error as {commandIds?: unknown} | null)?.commandIds
  return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : []
}

function report(deps: IncrementalDeps, job: WindowJob, tracked: Map<string, Tracked>, queued: number): void {
  const all = [...tracked.values()]
  const done = all.filter((t) => t.phase === 'done').length
  const failed = all.filter((t) => t.phase === 'failed').length
  const moving = all.filter((t) => IN_FLIGHT.has(t.phase)).length
  deps.report({
    releaseId: job.releaseId,
    state: job.state,
    message: `${done}/${all.length} ${job.pass === 'forward' ? 'changed' : 'restored'}, ${moving} in the window, ${queued} waiting${failed ? `, ${failed} failed` : ''}`,
    instances: {total: all.length, ready: done, unhealthy: failed},
  })
}
