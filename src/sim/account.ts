import type {Clock} from '../ports/clock.js'
import {handleAutoScaling} from './autoscaling.js'
import {handleCloudFormation} from './cloudformation.js'
import {throttlingError} from './errors.js'
import {checkFaults, throttleRate} from './faults.js'
import {checkDocuments, DocumentRegistry} from './documents.js'
import {checkFleets, seedFleets} from './fleets.js'
import {applyInstanceTask, replaceUnhealthyInstance} from './instances.js'
import {handleElbv2} from './elbv2.js'
import {seedAlarms} from './alarms.js'
import {seedNoticeTargets} from './notices.js'
import {applyTargetTask, checkTargetGroups, recheckLater, seedTargetGroups} from './targets.js'
import {applyInvocationTask} from './invocations.js'
import {applyAssociationTask} from './associations.js'
import {Model} from './model.js'
import {initialRngState, keyedState} from './random.js'
import {networkFailure} from './network.js'
import {accessDenied, allows, iamAction} from './iam.js'
import {handleSsm} from './ssm.js'
import {applyResourceTask} from './stacks.js'
import {AccountFile} from './store.js'
import {type FleetListener, Telemetry} from './telemetry.js'
import {applyTrafficTask, refreshTrafficSources} from './traffic.js'
import {resolveTimings} from './timings.js'
import {Tracker} from './tracker.js'
import {causeDrift, type DriftChange} from './cause-drift.js'
import type {
  AccountState,
  AccountView,
  SimFaults,
  SimMetrics,
  SimOptions,
  SimService,
  SimTimings,
  Task,
} from './types.js'
import {buildAccountView} from './view.js'

/**
 * An in-process AWS account (the subset of CloudFormation, Auto Scaling and SSM that `release`
 * calls). Time is lazy: every call first applies every transition due by the clock's now, in time
 * order; nothing runs between calls. With `dir`, the state lives in dir/account.json and each call
 * is load -> advance -> handle -> save under a cross-process lock.
 */

type ServiceHandler = (model: Model, command: string, input: unknown) => object

const SERVICES: Partial<Record<SimService, ServiceHandler>> = {
  cloudformation: handleCloudFormation,
  autoscaling: handleAutoScaling,
  ssm: handleSsm,
  elbv2: handleElbv2,
}

/**
 * Services loaded on their first call: each imports its SDK package (for its exceptions), which a
 * release that never calls the service does not pay for.
 */
const LAZY_SERVICES: Partial<Record<SimService, () => Promise<ServiceHandler>>> = {
  cloudwatch: async () => (await import('./cloudwatch.js')).handleCloudWatch,
  sns: async () => (await import('./sns.js')).handleSns,
  eventbridge: async () => (await import('./eventbridge.js')).handleEventBridge,
}

async function serviceHandlerFor(service: SimService): Promise<ServiceHandler | undefined> {
  const loaded = SERVICES[service]
  if (loaded) return loaded
  const load = LAZY_SERVICES[service]
  if (!load) return undefined
  return (SERVICES[service] = await load())
}

function applyTask(model: Model, task: Task): void {
  switch (task.kind) {
    case 'resource.created':
    case 'resource.deleted':
      return applyResourceTask(model, task)
    case 'instance.booted':
    case 'instance.registered':
    case 'instance.degraded':
    case 'instance.terminated':
    case 'instance.removed':
    case 'instance.standby':
    case 'instance.inService':
      return applyInstanceTask(model, task)
    case 'traffic.added':
    case 'traffic.removed':
    case 'traffic.gone':
      return applyTrafficTask(model, task)
    case 'target.checked':
    case 'target.drained':
      return applyTarget(model, task)
    case 'invocation.started':
    case 'invocation.ended':
    case 'invocation.cancelled':
      return applyInvocationTask(model, task)
    case 'association.run':
    case 'association.applied':
      return applyAssociationTask(model, task)
  }
}

function applyTarget(model: Model, task: Extract<Task, {kind: `target.${string}`}>): void {
  const outcome = applyTargetTask(model, task)
  if (!outcome) return
  const instance = model.state.instances[task.instanceId]
  if (outcome.replace) replaceUnhealthyInstance(model, outcome.group, outcome.replace)
  else if (outcome.recheckAt !== undefined) recheckLater(model, task.targetGroup, task.instanceId, outcome.recheckAt)
  refreshTrafficSources(model, outcome.group, instance)
}

function freshState(options: SimOptions): AccountState {
  return {
    format: 1,
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    now: options.clock.now(),
    seq: 0,
    rng: initialRngState(options.seed ?? 1),
    drawSeed: initialRngState(options.seed ?? 1),
    faults: structuredClone(options.faults ?? {}),
    stacks: [],
    launchTemplates: {},
    groups: {},
    instances: {},
    commands: [],
    parameters: {},
    tasks: [],
  }
}

function isAccountState(value: unknown): value is AccountState {
  if (!value || typeof value !== 'object') return false
  const state = value as Record<string, unknown>
  const isRecord = (entry: unknown) => !!entry && typeof entry === 'object' && !Array.isArray(entry)
  return (
    state['format'] === 1 &&
    typeof state['region'] === 'string' &&
    typeof state['accountId'] === 'string' &&
    typeof state['now'] === 'number' &&
    typeof state['seq'] === 'number' &&
    typeof state['rng'] === 'number' &&
    isRecord(state['faults']) &&
    Array.isArray(state['stacks']) &&
    isRecord(state['launchTemplates']) &&
    isRecord(state['groups']) &&
    isRecord(state['instances']) &&
    Array.isArray(state['commands']) &&
    (state['parameters'] === undefined || isRecord(state['parameters'])) &&
    (state['targetGroups'] === undefined || isRecord(state['targetGroups'])) &&
    Array.isArray(state['tasks'])
  )
}

function isServiceError(error: unknown): boolean {
  return !!error && typeof error === 'object' && '$fault' in error
}

export class SimAccount {
  readonly clock: Clock
  private readonly options: SimOptions
  private readonly timings: SimTimings
  private readonly file: AccountFile | undefined
  private readonly documents: DocumentRegistry
  private readonly telemetry = new Telemetry()
  private state: AccountState
  /** Derived indexes of `state`, rebuilt when another state is loaded. */
  private tracker: Tracker | undefined
  /** The JSON last loaded or saved, to save only calls that changed something. */
  private savedText: string | undefined

  /** Loads dir/account.json when present, creating it otherwise; without `dir`, the account lives in memory. */
  static open(options: SimOptions): SimAccount {
    return new SimAccount(options)
  }

  private constructor(options: SimOptions) {
    if (options.faults) checkFaults(options.faults)
    checkFleets(options.fleets)
    checkTargetGroups(options.targetGroups)
    checkDocuments(options.documents)
    this.options = options
    this.clock = options.clock
    this.timings = resolveTimings(options.timings)
    this.documents = new DocumentRegistry(options.documents)
    this.state = freshState(options)
    this.file = options.dir === undefined ? undefined : new AccountFile(options.dir)
    this.transactSync((model) => {
      if (options.faults) this.state.faults = structuredClone(options.faults)
      seedTargetGroups(model, options.targetGroups)
      seedFleets(model, options.fleets)
      seedAlarms(model, options.alarms)
      seedNoticeTargets(model, options)
    }, false)
  }

  get region(): string {
    return this.state.region
  }

  get accountId(): string {
    return this.state.accountId
  }

  /** Virtual time of the account's last call (persisted), so a new process's VirtualClock can start there. */
  /**
   * A seed for the client side's retry jitter against this account, one per `name` (a service): with
   * it, a run on the simulated account backs off the same way every time its seed is run.
   */
  jitterSeed(name: string): number {
    if (this.file) this.load()
    return keyedState(this.state.drawSeed ?? this.state.rng, `jitter:${name}`)
  }

  get lastNow(): number {
    if (this.file) this.load()
    return this.state.now
  }

  get faults(): SimFaults {
    if (this.file) this.load()
    return structuredClone(this.state.faults)
  }

  /** Replaces the faults (persisted with the account); what was due by now happened under the old ones. */
  setFaults(faults: SimFaults): void {
    checkFaults(faults)
    this.transactSync(() => {
      this.state.faults = structuredClone(faults)
    }, true)
  }

  /** Drift caused by hand (`release sim drift`), outside the APIs; returns what was done. */
  causeDrift(change: DriftChange): string {
    return this.transactSync((model) => causeDrift(model, change), true)
  }

  /** Answers one API call (the middleware calls this), or throws the SDK's exception for it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async handle(service: SimService, commandName: string, input: any): Promise<any> {
    this.telemetry.count(service, commandName)
    const handler = await serviceHandlerFor(service)
    const work = () =>
      this.run((model) => {
        if (!handler) throw new Error(`The simulated AWS account has no service ${String(service)}`)
        // A network failure is decided first (the call may never arrive), then throttling, both with
        // the account's own PRNG. The failure is returned, not thrown, so that the draws (and, when
        // the answer is lost, the call's effect) are saved with the account.
        // Keyed by the call's kind and rank: whether the 40th ListCommands fails does not depend on how
        // many other calls the release made before it.
        const draws = model.draw(`call:${String(service)}:${commandName}`)
        const network = networkFailure(model.faults, service, draws)
        if (network) this.telemetry.countNetworkFailure(service, commandName, network.when)
        if (network?.when === 'before') return {lost: network.error}
        try {
          // The caller's policy is checked before the service sees the call (and so before throttling).
          if (!allows(model.faults.allowActions, iamAction(service, commandName))) {
            this.telemetry.countDenied()
            throw accessDenied(service, commandName, model.state.accountId)
          }
          const rate = throttleRate(model.faults, service, model.now)
          if (rate > 0 && draws.next() < rate) {
            this.telemetry.countThrottled()
            throw throttlingError(service)
          }
          const result = handler(model, commandName, input)
          return network ? {lost: network.error} : {result}
        } catch (error) {
          // The service's error answer is lost as any other answer would be.
          if (network && isServiceError(error)) return {lost: network.error}
          throw error
        }
      })
    try {
      const answer = await (this.file ? this.file.withLock(work) : work())
      if ('lost' in answer) throw answer.lost as Error
      return answer.result
    } finally {
      this.telemetry.notify(() => this.currentTracker().summary())
    }
  }

  /** API calls handled by this SimAccount (this process) since it was opened or resetMetrics. */
  metrics(): SimMetrics {
    return this.telemetry.metrics()
  }

  resetMetrics(): void {
    this.telemetry.reset()
  }

  /**
   * Calls `listener` after every API call with a summary of the instances (not the AccountView: it
   * stays cheap at 10,000 instances). Returns the function that stops it. A listener that throws
   * fails the call it was told about.
   */
  observe(listener: FleetListener): () => void {
    return this.telemetry.observe(listener)
  }

  /** The account as `release sim show` presents it, advanced to the clock's now. */
  view(): AccountView {
    return this.transactSync((model) => buildAccountView(model), true)
  }

  private transactSync<T>(work: (model: Model) => T, advance: boolean): T {
    const run = () => (advance ? this.run(work) : this.runWithoutAdvance(work))
    return this.file ? this.file.withLockSync(run) : run()
  }

  /** load -> advance to the clock -> work -> save. */
  private run<T>(work: (model: Model) => T): T {
    return this.runWithoutAdvance((model) => {
      model.advanceTo(Math.max(this.state.now, this.clock.now()), applyTask)
      return work(model)
    })
  }

  private currentTracker(): Tracker {
    if (this.tracker?.state !== this.state) this.tracker = new Tracker(this.state)
    return this.tracker
  }

  private runWithoutAdvance<T>(work: (model: Model) => T): T {
    const fresh = this.load()
    let keep = true
    try {
      const model = new Model(this.state, {timings: this.timings, tracker: this.currentTracker(), documents: this.documents})
      // An account file removed to reset the account: the new account has the seeded fleets too.
      if (fresh) {
        seedTargetGroups(model, this.options.targetGroups)
        seedFleets(model, this.options.fleets)
        seedAlarms(model, this.options.alarms)
        seedNoticeTargets(model, this.options)
      }
      return work(model)
    } catch (error) {
      // An AWS error leaves the account consistent (time and PRNG draws moved on, so it is saved);
      // anything else may have left it half-changed, so the file's version is read again next time.
      keep = isServiceError(error)
      throw error
    } finally {
      if (keep) this.save()
      else this.file?.forget()
    }
  }

  /** Reads the file when another process changed it; true when that made a fresh account. */
  private load(): boolean {
    if (!this.file) return false
    const read = this.file.readIfChanged()
    if (read.unchanged) return false
    if (read.value === undefined) {
      // No file yet (or it was removed to reset the account): a fresh account.
      this.state = freshState(this.options)
      this.savedText = undefined
      return true
    }
    if (!isAccountState(read.value)) throw this.file.corrupted('it is not a simulated account (unexpected content)')
    this.state = read.value
    this.savedText = JSON.stringify(read.value)
    // Accounts saved before Parameter Store existed.
    this.state.parameters ??= {}
    return false
  }

  private save(): void {
    if (!this.file) return
    const text = JSON.stringify(this.state)
    if (text === this.savedText) return
    this.file.write(text)
    this.savedText = text
  }
}
