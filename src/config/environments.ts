/**
 * One environment of release.yml seen as a whole config: the rest of the app works on a
 * ReleaseConfig as before, narrowed here to the targets that exist in that environment, with the
 * environment's region, parameters, fleets and gates in place of the target's own.
 */
import path from 'node:path'
import {UserError} from '../errors.js'
import type {IncrementalGate} from '../../machines/incremental.js'
import type {ImmutableGate} from '../../machines/immutable.js'
import {suggest} from './suggest.js'
import {signalsIn} from './environment-signals.js'
import type {ReleaseConfig, TargetConfig} from './types.js'

/** The names of the environments, in release.yml order; empty for the implicit one. */
export function environmentNames(config: ReleaseConfig): string[] {
  return Object.keys(config.environments ?? {})
}

/** The environment a command uses without --env: the only one, or the one marked default. */
export function defaultEnvironment(config: ReleaseConfig): string | undefined {
  const names = environmentNames(config)
  if (names.length <= 1) return names[0]
  return names.find((n) => config.environments?.[n]?.default === true)
}

/**
 * The config as seen from environment `name` (undefined: the default one). Without `environments:`
 * the config is returned unchanged (one implicit environment); --env is then refused.
 */
export function forEnvironment(config: ReleaseConfig, name: string | undefined): ReleaseConfig {
  const names = environmentNames(config)
  const file = path.basename(config.file)
  if (names.length === 0) {
    if (name === undefined) return config
    throw new UserError('E_UNKNOWN_ENV', `unknown environment "${name}": ${file} has no environments section`, `Run the command without --env, or add environments: to ${file}.`, 2)
  }
  const chosen = name ?? defaultEnvironment(config)
  if (chosen === undefined) {
    throw new UserError('E_UNKNOWN_ENV', `which environment? ${file} has ${names.join(', ')} and none is marked default: true`, `Pass --env with one of: ${names.join(', ')}, or mark one default: true.`, 2)
  }
  const environments = config.environments ?? {}
  const env = Object.hasOwn(environments, chosen) ? environments[chosen] : undefined
  if (env === undefined) {
    const near = suggest(chosen, names)
    throw new UserError('E_UNKNOWN_ENV', `unknown environment "${chosen}"; the environments in ${file} are: ${names.join(', ')}`, near ? `Did you mean "${near}"?` : `Use one of: ${names.join(', ')}.`, 2)
  }
  const targets: Record<string, TargetConfig> = {}
  for (const [t, target] of Object.entries(config.targets)) {
    // An on-demand copy has the targets of its source, or those it was made with.
    if (target.environments !== undefined && !target.environments.includes(env.source ?? chosen)) continue
    if (env.only !== undefined && !env.only.includes(t)) continue
    const over = env.targets[t] ?? {}
    const resourceName = environmentResourceName(chosen, t)
    const signals = signalsIn(config, env, target)
    targets[t] =
      target.strategy === 'immutable'
        ? {...target, ...signals, resourceName, parameters: {...target.parameters, ...over.parameters}, ...(over.trafficSources ? {trafficSources: over.trafficSources} : {}), ...(over.gates ? {gates: over.gates as ImmutableGate[]} : {})}
        : {...target, ...signals, resourceName, ...(over.fleet ? {fleet: over.fleet} : {}), ...(over.gates ? {gates: over.gates as IncrementalGate[]} : {})}
  }
  return {...config, region: env.region, targets, environment: chosen, ...(env.region !== config.region ? {homeRegion: config.region} : {})}
}

/** The name a target's resources carry in a named environment: its stacks, tags and parameters. */
export function environmentResourceName(environment: string, target: string): string {
  return `${environment}-${target}`
}

/** The name a target's resources carry in the account (see TargetConfig.resourceName). */
export function resourceName(target: {name: string; resourceName?: string}): string {
  return target.resourceName ?? target.name
}
