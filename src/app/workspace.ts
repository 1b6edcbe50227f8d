/**
 * What every command starts from: the loaded release.yml, the state directory beside it, and the
 * ledger in it. Loading a workspace touches no AWS account.
 */
import {loadConfigCached} from '../config/cache.js'
import type {ReleaseConfig} from '../config/types.js'
import {Ledger} from '../engine/ledger.js'
import type {StateStore} from '../ports/store.js'
import {FileStateStore} from '../store/file.js'

export interface Workspace {
  config: ReleaseConfig
  store: StateStore
  ledger: Ledger
  /** Wall-clock time for ledger timestamps and lease expiry (virtual time is for steps only). */
  now: () => number
}

export interface WorkspaceOptions {
  configPath?: string
  cwd?: string
}

export async function openWorkspace(options: WorkspaceOptions = {}): Promise<Workspace> {
  const cwd = options.cwd ?? process.cwd()
  const config = await loadConfigCached(options.configPath, {cwd})
  const store = new FileStateStore(config.stateDir)
  const now = () => Date.now()
  return {config, store, ledger: new Ledger(store, now), now}
}
