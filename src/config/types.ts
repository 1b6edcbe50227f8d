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

export interface ImmutableTargetConfig {
  name: string
  strategy: 'immutable'
  /** Absolute. */
  templatePath: string
  templateBody: string
  versionParameter: string
  /** Values for the template's parameters, numbers stringified as written; never the versionParameter. */
  parameters: Record<string, string>
  /** ELB target group ARNs. */
  trafficSources: string[]
  /** Previous stacks kept scaled to zero for instant rollback. */
  retain: number
  bakeMs: number
  verify?: {commands: string[]}
  timeouts: {provisionMs: number; capacityMs: number; verifyMs: number; shiftMs: number; retireMs: number}
  /** 1-based line of the target's key in release.yml, for messages. */
  line: number
}
