/**
 * `release env create NAME --from ENV`: a copy of an environment, each target that can be provisioned
 * made at the version live in the source. The record is written first (so that whatever is made has
 * an owner), then the create machine provisions the targets one by one, persisted like a release.
 */
import {fromPromise} from 'xstate'
import {environmentCreateMachine, type EnvironmentTarget} from '../../../machines/environment.js'
import {forEnvironment} from '../../config/environments.js'
import {ENVIRONMENT_NAME, REGION} from '../../config/schema/names.js'
import {suggest} from '../../config/suggest.js'
import {formatTtl, parseTtl} from '../../config/ttl.js'
import type {ReleaseConfig, TargetConfig} from '../../config/types.js'
import {UserError} from '../../errors.js'
import {Ledger} from '../../engine/ledger.js'
import {openStateStore} from '../../store/open.js'
import {environmentStore} from '../../store/prefixed.js'
import {whoAmI} from '../../util/who.js'
import {openAccount, type AccountOverrides} from '../account.js'
import {resume, rollout, type ReleaseHooks} from '../release.js'
import {openWorkspace, type Workspace} from '../workspace.js'
import {createRecord, changeRecord, readRecord, type OnDemandEnvironment} from './record.js'
import {runEnvironmentMachine, type MachineRun} from './run.js'
import {baseStackName} from './stacks.js'

export interface CreateRequest {
  name: string
  from: string
  ttl?: string
  targets?: string[]
  region?: string
}

export interface CreateResult {
  record: OnDemandEnvironment
  /** Targets of the source left out, and why (no live version, nothing to provision). */
  skipped: {target: string; why: string}[]
  outcome: 'ready' | 'failed'
  message: string
  exitCode: number
}

export const DEFAULT_TTL_MS = 8 * 3_600_000

/** Why a target cannot be made by `env create`, or undefined when it can. */
export function notProvisionable(target: TargetConfig): string | undefined {
  if (target.strategy === 'immutable') return undefined
  if (target.templateBody !== undefined) return undefined
  return `${target.name} is incremental with no template: its instances are not made by release, so a copy cannot make them`
}

export async function createEnvironment(ws: Workspace, request: CreateRequest, hooks: ReleaseHooks = {}, overrides: AccountOverrides = {}): Promise<CreateResult> {
  const whole = ws.whole ?? ws.config
  const shared = await openStateStore(whole)
  const plan = await planCopy(whole, shared, request, ws.now)
  if (!(await createRecord(shared, plan.record))) throw exists(request.name, (await readRecord(shared, request.name))?.record)
  const result = await runCreate(whole, plan.record, hooks, overrides)
  return {...result, skipped: plan.skipped}
}

/** `env resume NAME` of an interrupted create: the record says which targets, the snapshot how far. */
export async function resumeCreate(whole: ReleaseConfig, record: OnDemandEnvironment, hooks: ReleaseHooks = {}, overrides: AccountOverrides = {}): Promise<CreateResult> {
  return {...(await runCreate(whole, record, hooks, overrides)), skipped: []}
}

/** Every check of the request, against release.yml and the state only: nothing is written. */
async function planCopy(whole: ReleaseConfig, shared: import('../../ports/store.js').StateStore, request: CreateRequest, now: () => number) {
  const file = whole.file
  if (whole.environments === undefined) {
    throw new UserError('E_UNKNOWN_ENV', `${file} has no environments section: env create copies one of its environments`, 'Add environments: (e.g. staging: {}) to release.yml, release there, then copy it.', 2)
  }
  const name = request.name
  if (!ENVIRONMENT_NAME.test(name)) {
    throw new UserError('E_ENV_NAME', `"${name}" is not a valid environment name: a lowercase letter, then up to 15 lowercase letters, digits or -`, 'Choose a name such as demo or dr-west.', 2)
  }
  if (Object.hasOwn(whole.environments, name)) {
    throw new UserError('E_ENV_EXISTS', `environment ${name} already exists: it is defined in ${file}`, 'Choose another name for the copy.', 2)
  }
  const existing = await readRecord(shared, name)
  if (existing) throw exists(name, existing.record)
  // Refuses an unknown source, with the nearest name.
  const source = forEnvironment(whole, request.from)
  const ttlMs = request.ttl === undefined ? (whole.ephemeral?.ttlMs ?? DEFAULT_TTL_MS) : parseTtl(request.ttl)
  if (request.region !== undefined && !REGION.test(request.region)) {
    throw new UserError('E_REGION', `--region ${request.region} is not an AWS region code`, 'Pass a region such as us-west-2 or eu-west-3.', 2)
  }
  const region = request.region ?? source.region
  const sourceStore = environmentStore(shared, request.from)
  const sourceLedger = new Ledger(sourceStore, now)
  const targets: EnvironmentTarget[] = []
  const skipped: CreateResult['skipped'] = []
  const asked = request.targets === undefined ? undefined : [...new Set(request.targets)]
  for (const wanted of asked ?? []) {
    if (Object.hasOwn(source.targets, wanted)) continue
    const elsewhere = whole.targets[wanted]?.environments
    const names = Object.keys(source.targets)
    const near = suggest(wanted, names)
    throw new UserError(
      'E_UNKNOWN_TARGET',
      elsewhere ? `target ${wanted} does not exist in ${request.from} (its environments: ${elsewhere.join(', ')})` : `unknown target "${wanted}"; the targets of ${request.from} are: ${names.join(', ')}`,
      near ? `Did you mean "${near}"?` : `Pass --targets with targets of ${request.from}: ${names.join(', ')}.`,
      2,
    )
  }
  for (const target of Object.values(source.targets)) {
    if (asked !== undefined && !asked.includes(target.name)) continue
    const why = notProvisionable(target)
    if (why !== undefined) {
      if (asked !== undefined) throw new UserError('E_NOT_PROVISIONABLE', `--targets ${target.name}: ${why}`, `Leave ${target.name} out of --targets, or give it a template (targets.${target.name}.template) that makes its group.`, 2)
      skipped.push({target: target.name, why})
      continue
    }
    const ledger = await sourceLedger.read(target.name)
    const latest = ledger.releases.at(-1)
    if (ledger.liveVersion === null || latest?.outcome !== 'succeeded') {
      const why = ledger.liveVersion === null ? `${request.from} has no live version of ${target.name}` : `the latest release of ${target.name} in ${request.from} (${latest?.id}) did not succeed (${latest?.outcome})`
      if (asked !== undefined) throw new UserError('E_NO_LIVE_VERSION', `--targets ${target.name}: ${why}`, `Release ${target.name} in ${request.from} first (release rollout ${target.name} --env ${request.from} --version V), or leave it out of --targets.`, 2)
      skipped.push({target: target.name, why})
      continue
    }
    targets.push({name: target.name, version: ledger.liveVersion, strategy: target.strategy})
  }
  if (targets.length === 0) {
    throw new UserError('E_NOTHING_TO_COPY', `nothing of ${request.from} can be copied: ${skipped.map((s) => s.why).join('; ') || 'it has no targets'}`, `Release a target in ${request.from} first, or give incremental targets a template.`, 2)
  }
  const at = now()
  const record: OnDemandEnvironment = {
    name,
    source: request.from,
    owner: whoAmI(),
    region,
    createdAt: new Date(at).toISOString(),
    expiresAt: new Date(at + ttlMs).toISOString(),
    phase: 'creating',
    targets,
  }
  return {record, skipped, ttl: formatTtl(ttlMs)}
}

function exists(name: string, record: OnDemandEnvironment | undefined): UserError {
  const who = record ? ` (made by ${record.owner} from ${record.source}, ${record.phase}, expires ${record.expiresAt})` : ''
  return new UserError('E_ENV_EXISTS', `environment ${name} already exists${who}`, `Choose another name, or release env destroy ${name} first.`, 2)
}

async function runCreate(whole: ReleaseConfig, record: OnDemandEnvironment, hooks: ReleaseHooks, overrides: AccountOverrides): Promise<Omit<CreateResult, 'skipped'>> {
  const machine = environmentCreateMachine.provide({
    actors: {
      provisionTarget: fromPromise(async ({input}: {input: {environment: string; target: EnvironmentTarget | undefined}}) => {
        if (!input.target) throw new Error(`environment ${input.environment}: its snapshot points past its list of targets`)
        await provisionTarget(whole, input.environment, input.target, hooks, overrides)
      }),
    },
  })
  const run: MachineRun = await runEnvironmentMachine(whole, record.name, {machine, runId: 'env-create', input: {environment: record.name, targets: record.targets}})
  const failure = run.context?.failure as {target: string; message: string} | undefined
  if (run.state === 'ready') {
    const done = await changeRecord(await openStateStore(whole), record.name, (r) => ({...r, phase: 'ready', message: undefined}))
    return {record: done, outcome: 'ready', message: `environment ${record.name} is ready: ${record.targets.map((t) => `${t.name} ${t.version}`).join(', ')} (from ${record.source}); expires ${record.expiresAt}`, exitCode: 0}
  }
  const why = failure ? `${failure.target}: ${failure.message}` : `the create machine ended in ${run.state}`
  const failed = await changeRecord(await openStateStore(whole), record.name, (r) => ({...r, phase: 'failed', message: why}))
  return {record: failed, outcome: 'failed', message: `environment ${record.name} could not be made (${why}); what was made is still its own`, exitCode: 1}
}

/**
 * One target of the copy, idempotently: an immutable target is released into the new environment
 * (resumed if a crash left its release in progress); an incremental one gets its template's stack,
 * whose group becomes its fleet. Either way its ledger in the new environment records the version.
 */
async function provisionTarget(whole: ReleaseConfig, environment: string, made: EnvironmentTarget, hooks: ReleaseHooks, overrides: AccountOverrides): Promise<void> {
  const open = () => openWorkspace({configPath: whole.file, cwd: whole.dir, env: environment})
  if (made.strategy === 'incremental') return provisionFromTemplate(whole, environment, made, overrides)
  const ws = await open()
  const ledger = await ws.ledger.read(made.name)
  if (ledger.liveVersion === made.version) return
  const last = ledger.releases.at(-1)
  const result = last?.outcome === 'inProgress' ? await resume(ws, {target: made.name}, hooks, overrides) : await rollout(ws, {target: made.name, version: made.version}, hooks, overrides)
  if (result.outcome !== 'succeeded') throw new Error(`${made.name} ${made.version}: ${result.message}`)
}

async function provisionFromTemplate(whole: ReleaseConfig, environment: string, made: EnvironmentTarget, overrides: AccountOverrides): Promise<void> {
  const shared = await openStateStore(whole)
  const store = environmentStore(shared, environment)
  const ledger = new Ledger(store, () => Date.now(), `${environment}-`)
  if ((await ledger.read(made.name)).liveVersion === made.version) return
  const found = await readRecord(shared, environment)
  if (!found) throw new Error(`environment ${environment} has no record`)
  const target = whole.targets[made.name]
  if (!target) throw new Error(`environment ${environment}: target ${made.name} is no longer in release.yml`)
  // The copy's settings (region, parameters) as the record sees them, before its fleet exists.
  const source = forEnvironment(whole, found.record.source)
  const config: ReleaseConfig = {...source, region: found.record.region, ...(found.record.region !== whole.region ? {homeRegion: whole.region} : {}), environment}
  const account = await openAccount(config, overrides)
  const stackName = baseStackName(environment, made.name)
  const token = `${stackName}-create`
  const body = target.templateBody
  if (body === undefined) throw new Error(`environment ${environment}: target ${made.name} has no template to create its copy from`)
  const declared = (await account.stacks.validateTemplate(body)).parameters.map((p) => p.key)
  const over = {...whole.environments?.[found.record.source]?.targets[made.name]?.parameters, ...whole.ephemeral?.targets[made.name]?.parameters}
  const parameters = Object.fromEntries(Object.entries({...over, Version: made.version}).filter(([k]) => declared.includes(k)))
  const existing = await account.stacks.describeStack(stackName)
  if (existing === undefined || existing.status !== 'CREATE_COMPLETE') {
    await account.stacks.createStack({stackName, templateBody: body, parameters, tags: {'release:target': `${environment}-${made.name}`, 'release:version': made.version, 'release:environment': environment}, token})
    const done = await account.stacks.waitForCreate(stackName, token, {deadline: account.clock.now() + 30 * 60_000})
    if (!done.ok) throw new Error(`stack ${stackName} ended ${done.status}${done.reason ? `: ${done.reason}` : ''}`)
  }
  const group = (await account.stacks.listResources(stackName)).find((r) => r.type === 'AWS::AutoScaling::AutoScalingGroup')?.physicalId
  if (group === undefined) throw new Error(`the template of ${made.name} makes no Auto Scaling group, so its copy has no fleet`)
  await changeRecord(shared, environment, (r) => ({...r, fleets: {...r.fleets, [made.name]: group}}))
  // A crash between begin and finish left the record in progress: it is finished, not begun twice.
  const last = (await ledger.read(made.name)).releases.at(-1)
  const record = last?.outcome === 'inProgress' && last.version === made.version ? last : await ledger.begin(made.name, {version: made.version, strategy: 'incremental', kind: 'rollout'})
  await ledger.finish(made.name, record.id, {state: 'succeeded', outcome: 'succeeded', message: `made by env create from ${found.record.source}: stack ${stackName}, group ${group}`})
}
