import type {ImmutableSettings} from '../../strategies/immutable/deps.js'
/** release.yml, validated and with every default filled in. */
export interface ReleaseConfig {
  /** Absolute path of the config file. */
  file: string
  /** Absolute directory of the config file; relative paths in it are resolved from here. */
  dir: string
  account: 'simulated' | 'aws'
  region: string
  /** Absolute. */
  stateDir: string
  simulated: SimulatedConfig
  targets: Record<string, TargetConfig>
}

export interface SimulatedConfig {
  /** Virtual seconds per real second for the CLI, or 'instant'. */
  speed: number | 'instant'
  seed: number
  /** Validated, passed through to the simulated account as written. */
  faults: Record<string, unknown>
}

export type TargetConfig = ImmutableTargetConfig

/**
 * An immutable target as release.yml declares it: the strategy's own settings (what the steps need)
 * plus where it came from.
 */
export interface ImmutableTargetConfig extends Omit<ImmutableSettings, 'target' | 'pollIntervalMs'> {
  name: string
  strategy: 'immutable'
  /** Absolute. */
  templatePath: string
  /** 1-based line of the target's key in release.yml, for messages. */
  line: number
}
