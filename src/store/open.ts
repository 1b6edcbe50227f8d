/**
 * The state backend release.yml names. The DynamoDB adapter (and the SDK client under it) is loaded
 * only when it is the backend, so file-backed commands start without it.
 */
import type {ReleaseConfig} from '../config/types.js'
import type {Clock} from '../ports/clock.js'
import type {StateStore} from '../ports/store.js'
import {FileStateStore} from './file.js'

export async function openStateStore(config: Pick<ReleaseConfig, 'state' | 'stateDir'>, options: {clock?: Clock} = {}): Promise<StateStore> {
  const state = config.state
  if (state.backend === 'file') return new FileStateStore(config.stateDir)
  const [{openDynamoStore}, {SystemClock}] = await Promise.all([import('../aws/state-store.js'), import('../util/clock.js')])
  return openDynamoStore({table: state.table, region: state.region, ...(state.endpoint !== undefined ? {endpoint: state.endpoint} : {}), clock: options.clock ?? new SystemClock()})
}
