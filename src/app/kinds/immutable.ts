/** The immutable (red/black) strategy as the app runs it. */
import {resourceName} from '../../config/environments.js'
import {createHash} from 'node:crypto'
import {IMMUTABLE_MACHINE_VERSION, immutableMachine, type ImmutableContext, type ImmutableInput} from '../../../machines/immutable.js'
import {immutableStrategy, type ImmutableSettings} from '../../../strategies/immutable/index.js'
import type {ImmutableTargetConfig} from '../../config/index.js'
import {UserError} from '../../errors.js'
import type {ReleaseRecord, TargetLedger} from '../../engine/ledger.js'
import {stackNameOf, type ImmutableDetails} from '../../engine/release-details.js'
import type {Outcome} from '../../ports/release.js'
import {parseTemplate, resolveParameters, TemplateError} from '../../template/index.js'
import type {Account} from '../account.js'
import {summarize} from '../summary.js'
import type {StrategyRunner} from './kind.js'
import {POLL_INTERVAL_MS} from './timing.js'
import {unavailableError, whileAvailable} from './unavailable.js'

export function immutableRunner(target: ImmutableTargetConfig): StrategyRunner {
  return {
    strategy: 'immutable',
    machine: immutableMachine,
    machineVersion: IMMUTABLE_MACHINE_VERSION,
    async preflight(account, version) {
      checkParameterValues(target, version)
      checkTemplateSize(target)
      checkOneGroup(target)
      await whileAvailable(`the checks of ${target.name} before its release`, async () => {
        await checkTemplate(account, target)
        await checkTrafficSources(account, target)
      })
    },
    async input(ws, record, options = {}): Promise<ImmutableInput> {
      const ledger = await ws.ledger.read(target.name)
      return {
        releaseId: record.id,
        target: resourceName(target),
        version: record.version,
        kind: record.kind,
        previous: liveStack(ledger),
        keepFirst: lastKnownGoodStack(ledger, record.version),
        adopt: options.adopt ?? null,
        emergency: options.emergency === true,
        // An emergency rollback stops at no gate: it returns to a version that already proved itself.
        // A converge rolls out the live version again, which already went past its gates.
        gates: options.emergency || record.kind === 'converge' ? [] : target.gates,
        // Derived from when this ledger record began: the same on a resume, different for a release that reuses the id.
        nonce: createHash('sha256').update(`${record.id}@${record.startedAt}`).digest('hex').slice(0, 8),
      }
    },
    // Abort: anything before retiring that the way back undoes. Alarms: once the new version takes traffic.
    stopSteps: {abort: ['provision', 'awaitCapacity', 'verify', 'shift', 'bake'], alarms: ['shift', 'bake']},
    bind({account, report, atStep}) {
      return immutableStrategy({
        stacks: account.stacks,
        fleet: account.fleet,
        commands: account.commands,
        targets: account.targets,
        clock: account.clock,
        report,
        settings: settingsFor(target),
      }, atStep)
    },
    details(raw): ImmutableDetails {
      const context = raw as ImmutableContext | undefined
      if (!context) return {}
      return {
        stackName: context.newStack?.name ?? null,
        group: context.newStack?.group ?? null,
        reusedStack: context.newStack?.reused ?? false,
        oldGroup: context.oldGroup,
        bakeUntil: context.bakeUntil,
        failure: context.failure,
        rollbackFailure: context.rollbackFailure,
        retired: context.retired,
        abort: context.abort,
        // What served before this release without the ledger knowing it, taken over as the old group.
        ...(context.adopt ? {adopted: context.adopt} : {}),
        ...(context.emergency ? {emergency: true} : {}),
      }
    },
    summarize(record, outcome, context) {
      return summarize({record, target: target.name, outcome: outcome as Outcome, context: context as ImmutableContext})
    },
  }
}

/** The one place the strategy's settings are made: named field by field from the resolved target. */
export function settingsFor(target: ImmutableTargetConfig): ImmutableSettings {
  return {
    target: resourceName(target),
    templateBody: target.templateBody,
    healthCheckType: groupHealthCheckType(target.templateBody),
    versionParameter: target.versionParameter,
    parameters: target.parameters,
    trafficSources: target.trafficSources,
    retain: target.retain,
    keepWarmMs: target.keepWarmMs,
    bakeMs: target.bakeMs,
    ...(target.verify ? {verify: target.verify} : {}),
    timeouts: target.timeouts,
    pollIntervalMs: POLL_INTERVAL_MS,
  }
}

/** The HealthCheckType of the template's Auto Scaling group when it is a literal (AWS's default: EC2). */
export function groupHealthCheckType(templateBody: string): string {
  const resources = Object.values(parseTemplate(templateBody).Resources)
  const group = resources.find((r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup')
  const value = group?.Properties?.['HealthCheckType']
  return typeof value === 'string' ? value : 'EC2'
}

/** The release now live on a target and the stack it runs in, as the ledger recorded it. */
export function liveStack(ledger: TargetLedger): ImmutableInput['previous'] {
  if (ledger.liveVersion === null) return null
  const live = newestWithStack(ledger, (r) => r.outcome === 'succeeded' && r.version === ledger.liveVersion)
  return live ? {version: live.release.version, stackName: live.stackName} : null
}

/**
 * The stack of the last known good version once a release of `version` succeeds: what `release
 * rollback` will return to, so retention keeps it first. It is the live stack, unless `version` is the
 * live version again (a forced re-release): then the newest other version that succeeded.
 */
export function lastKnownGoodStack(ledger: TargetLedger, version: string): string | null {
  const live = liveStack(ledger)
  if (live && live.version !== version) return live.stackName
  const good = newestWithStack(ledger, (r) => r.outcome === 'succeeded' && r.version !== version && r.version !== ledger.liveVersion)
  return good ? good.stackName : null
}

/** The newest release of the ledger that `matches` and has a stack, with the stack's name. */
function newestWithStack(ledger: TargetLedger, matches: (release: ReleaseRecord) => boolean): {release: ReleaseRecord; stackName: string} | undefined {
  for (const release of [...ledger.releases].reverse()) {
    const stackName = stackNameOf(release)
    if (stackName !== undefined && matches(release)) return {release, stackName}
  }
  return undefined
}

/**
 * The values the stack would get, checked against the template's constraints (AllowedPattern,
 * AllowedValues, MinValue...) here, so that a value CloudFormation would refuse is exit 2 with nothing
 * created, not a failed release.
 */
function checkParameterValues(target: ImmutableTargetConfig, version: string): void {
  try {
    resolveParameters(parseTemplate(target.templateBody), {...target.parameters, [target.versionParameter]: version})
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    throw new UserError(
      'E_PARAMETER',
      `${target.name}: the template ${target.templatePath} refuses these parameters: ${error.message}`,
      `change the value in release.yml (targets.${target.name}.parameters) or the --version, or the constraint in the template; nothing was changed`,
    )
  }
}

/** CloudFormation's limit on a TemplateBody passed in the request, in bytes. */
export const TEMPLATE_BODY_MAX_BYTES = 51_200

/** A template CloudFormation would refuse for its size is refused here, with the size, before anything is created. */
function checkTemplateSize(target: ImmutableTargetConfig): void {
  const size = Buffer.byteLength(target.templateBody, 'utf8')
  if (size <= TEMPLATE_BODY_MAX_BYTES) return
  throw new UserError(
    'E_TEMPLATE_SIZE',
    `the template of ${target.name} (${target.templatePath}) is ${size} bytes; CloudFormation takes at most ${TEMPLATE_BODY_MAX_BYTES} bytes in TemplateBody`,
    'make the template smaller (move large user data or policies into SSM parameters, files on S3, or nested stacks); nothing was changed',
  )
}

/**
 * Traffic moves through ELB target groups: every traffic source must be a target group the account
 * has, or the shift would fail after the new stack was created.
 */
async function checkTrafficSources(account: Account, target: ImmutableTargetConfig): Promise<void> {
  const notTargetGroups = target.trafficSources.filter((id) => !TARGET_GROUP_ARN.test(id))
  const {missing} = await account.targets.describeTargetGroups(target.trafficSources.filter((id) => TARGET_GROUP_ARN.test(id)))
  const wrong = [...notTargetGroups, ...missing]
  if (wrong.length === 0) return
  throw new UserError(
    'E_TRAFFIC_SOURCE',
    `${target.name}: ${wrong.length === 1 ? 'the traffic source' : 'the traffic sources'} ${wrong.join(', ')} ${wrong.length === 1 ? 'is not a target group' : 'are not target groups'} this account has`,
    `put the ARNs of existing ELB target groups under targets.${target.name}.trafficSources (aws elbv2 describe-target-groups lists them); nothing was changed`,
  )
}

const TARGET_GROUP_ARN = /^arn:aws[-a-z]*:elasticloadbalancing:[^:]*:\d{12}:targetgroup\/[^/]+\/[^/]+$/

/** Red/black moves traffic between one group per stack: a template with none or several is refused up front. */
function checkOneGroup(target: ImmutableTargetConfig): void {
  const groups = Object.entries(parseTemplate(target.templateBody).Resources)
    .filter(([, r]) => r.Type === 'AWS::AutoScaling::AutoScalingGroup')
    .map(([id]) => id)
  if (groups.length !== 1) {
    throw new UserError(
      'E_TEMPLATE',
      `the template of ${target.name} (${target.templatePath}) has ${groups.length} AWS::AutoScaling::AutoScalingGroup resources${groups.length ? ` (${groups.join(', ')})` : ''}; an immutable target needs exactly one`,
      'keep one group per template (other resources are fine); nothing was changed',
    )
  }
}

/**
 * The account's own check of the template (CloudFormation's ValidateTemplate) before anything is
 * created: a template CloudFormation would refuse is a configuration error, exit 2.
 */
async function checkTemplate(account: Account, target: ImmutableTargetConfig): Promise<void> {
  let summary
  try {
    summary = await account.stacks.validateTemplate(target.templateBody)
  } catch (error) {
    // Only CloudFormation refusing the template is a template problem; not answering is not.
    const unavailable = unavailableError(error, `the check of the template of ${target.name}`)
    if (unavailable) throw unavailable
    // CloudFormation says ValidationError of a template it refuses; anything else is not about the template.
    if ((error as {name?: unknown}).name !== 'ValidationError') throw error
    throw new UserError(
      'E_TEMPLATE',
      `CloudFormation refused the template of ${target.name} (${target.templatePath}): ${(error as Error).message}`,
      'fix the template; nothing was changed',
    )
  }
  const declared = new Set(summary.parameters.map((p) => p.key))
  const missing = [target.versionParameter, ...Object.keys(target.parameters)].filter((key) => !declared.has(key))
  if (missing.length > 0) {
    throw new UserError(
      'E_TEMPLATE',
      `the template of ${target.name} (${target.templatePath}) has no parameter ${missing.join(', ')}`,
      `declare ${missing.join(', ')} under Parameters in the template, or remove them from the target in release.yml`,
    )
  }
}
