/**
 * A world for testing one step of the immutable strategy (plan, retire) on its own: the simulated
 * account through the real adapters, release stacks tagged as the strategy tags them, and the
 * context the machine would hand the step. Whole releases are test/app's job.
 */
import {initialImmutableContext, type ImmutableContext, type ImmutableInput} from '../../../machines/immutable.js'
import {TAG, type ImmutableDeps, type ImmutableSettings} from '../../../strategies/immutable/deps.js'
import type {ProgressEvent} from '../../../src/ports/release.js'
import {FLEET_TEMPLATE, fleetParameters} from '../../fakes/templates.js'
import {TRAFFIC_SOURCE} from '../../fakes/workspace.js'
import {HOUR, openWorld, type World, type WorldOptions} from '../../aws/sim.js'

export {TRAFFIC_SOURCE}

export function stepWorld(options: WorldOptions = {}, settings: Partial<ImmutableSettings> = {}) {
  const world = openWorld({targetGroups: {[TRAFFIC_SOURCE]: {}}, ...options})
  const reports: ProgressEvent[] = []
  const deps: ImmutableDeps = {
    stacks: world.stacks,
    fleet: world.fleet,
    commands: world.commands,
    clock: world.clock,
    report: (event) => reports.push(event),
    settings: {
      target: 'web',
      templateBody: FLEET_TEMPLATE,
      versionParameter: 'Version',
      parameters: {},
      trafficSources: [TRAFFIC_SOURCE],
      retain: 1,
      bakeMs: 0,
      timeouts: {provisionMs: HOUR, capacityMs: HOUR, verifyMs: HOUR, shiftMs: HOUR, retireMs: HOUR},
      pollIntervalMs: 5_000,
      ...settings,
    },
  }
  return {world, deps, reports, messages: () => reports.map((r) => r.message), steps: () => [...new Set(reports.map((r) => r.state))]}
}

/** A release stack of target web as a release makes it (target, version and nonce tags); returns its group. */
export async function releaseStack(world: World, name: string, version: string, options: {capacity?: number; nonce?: string; target?: string} = {}): Promise<string> {
  const token = `${name}-create`
  await world.stacks.createStack({
    stackName: name,
    templateBody: FLEET_TEMPLATE,
    parameters: fleetParameters(version, options.capacity ?? 2),
    tags: {[TAG.target]: options.target ?? 'web', [TAG.version]: version, [TAG.nonce]: options.nonce ?? `nonce-${name}`},
    token,
  })
  const result = await world.stacks.waitForCreate(name, token, {deadline: world.clock.now() + HOUR})
  if (!result.ok) throw new Error(`stack ${name} failed: ${result.status} ${result.reason}`)
  // Stacks made one after the other are told apart by their creation time.
  world.clock.advance(60_000)
  const group = (await world.stacks.describeStack(name))?.outputs['GroupName']
  if (!group) throw new Error(`stack ${name} has no GroupName output`)
  return group
}

/** The context the machine hands a step: a release of web, with what the earlier steps decided. */
export function context(fields: Partial<ImmutableContext> = {}): ImmutableContext {
  const input: ImmutableInput = {
    releaseId: 'web-9',
    target: 'web',
    version: '9.0.0',
    kind: 'rollout',
    previous: null,
    nonce: 'nonce-web-9',
    gates: [],
    adopt: null,
    keepFirst: null,
  }
  return {...initialImmutableContext(input), ...fields}
}
