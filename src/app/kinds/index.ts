import type {TargetConfig} from '../../config/index.js'
import {immutableRunner} from './immutable.js'
import {incrementalRunner} from './incremental.js'
import type {StrategyRunner} from './kind.js'

export type {StrategyRunner} from './kind.js'

export function strategyRunner(target: TargetConfig): StrategyRunner {
  return target.strategy === 'immutable' ? immutableRunner(target) : incrementalRunner(target)
}
