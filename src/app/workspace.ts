/**
 * What every command starts from: the loaded release.yml, the state it names (the directory beside
 * it, or a DynamoDB table), and the ledger in it. Loading a workspace touches no AWS account.
 */
import {loadConfigCached} from '../config/cache.js'
import {ConfigError, displayPath} from '../config/errors.js'
import {stateDirProblem} from '../config/find.js'
import type {ReleaseConfig} from '../config/types.js'
import {Ledger} from '../engine/ledger.js'
import type {StateStore} from '../ports/store.js'
import {openStateStore} from '../store/open.js'
import {environmentStore} from '../store/prefixed.js'
import {defaultEnvironment, forEnvironment} from '../config/environments.js'
import {releaseIdPrefix} from '../engine/release-id.js'
import {ENVIRONMENT_NAME} from '../config/schema/names.js'
import {withCopy} from './environments/copy.js'
import {readRecord} from './environments/record.js'
import {cli} from '../util/cli-context.js'

export interface Workspace {
  /** release.yml narrowed to the environment the command works on (see forEnvironment). */
  config: ReleaseConfig
  /** release.yml as written, every environment (absent in workspaces built by tests and benches: config). */
  whole?: ReleaseConfig
  store: StateStore
  ledger: Ledger
  /** Wall-clock time for ledger timestamps and lease expiry (virtual time is for steps only). */
  now: () => number
}

export interface WorkspaceOptions {
  configPath?: string
  cwd?: string
  /** A read-only command: a target whose template is broken is left out, not the whole file refused. */
  readOnly?: boolean
  /** --env: the environment to work on (default: the only one, or the one marked default). */
  env?: string
  /** Commands about environments themselves (`env ...`): without a default, the first one will do. */
  anyEnvironment?: boolean
}

/** release.yml with the on-demand environment `env` added when the state holds one of that name. */
async function withOnDemand(whole: ReleaseConfig, shared: StateStore, env: string | undefined): Promise<ReleaseConfig> {
  if (env === undefined || whole.environments === undefined || Object.hasOwn(whole.environments, env) || !ENVIRONMENT_NAME.test(env)) return whole
  const found = await readRecord(shared, env)
  return found ? withCopy(whole, found.record) : whole
}

export async function openWorkspace(options: WorkspaceOptions = {}): Promise<Workspace> {
  const cwd = options.cwd ?? cli().cwd
  const whole = await loadConfigCached(options.configPath, {cwd, leaveOutBrokenTemplates: options.readOnly === true})
  // Checked on every open, cached config or not: the directory may have changed since.
  const unusable = stateDirProblem(whole.stateDir)
  if (unusable !== undefined) {
    throw new ConfigError(displayPath(whole.file, cwd), undefined, `stateDir ${whole.stateDir} ${unusable}`, 'Set stateDir in release.yml to a directory on a disk, e.g. .release (the default).')
  }
  const shared = await openStateStore(whole)
  const names = Object.keys(whole.environments ?? {})
  const env = options.env ?? (options.anyEnvironment && defaultEnvironment(whole) === undefined ? names[0] : undefined)
  const config = forEnvironment(await withOnDemand(whole, shared, env), env)
  const store = config.environment === undefined ? shared : environmentStore(shared, config.environment)
  const now = () => Date.now()
  return {config, whole, store, ledger: new Ledger(store, now, releaseIdPrefix(config)), now}
}
