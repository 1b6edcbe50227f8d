import type {TargetConfig} from '../../config/index.js'
import {immutableKind} from './immutable.js'
import {incrementalKind} from './incremental.js'
import type {ReleaseKind} from './kind.js'

export type {ReleaseKind} from './kind.js'

export function kindFor(target: TargetConfig): ReleaseKind {
  return target.strategy === 'immutable' ? immutableKind(target) : incrementalKind(target)
}
