import path from 'node:path'
import {UserError} from '../errors.js'
import {suggest} from './suggest.js'
import type {ReleaseConfig, TargetConfig} from './types.js'

/** A target of release.yml by name, or a usage error listing the targets (with a did-you-mean). */
export function targetOrError(config: ReleaseConfig, name: string): TargetConfig {
  const target = Object.hasOwn(config.targets, name) ? config.targets[name] : undefined
  if (target) return target
  const unreadable = config.unreadable?.find((u) => u.target === name)
  if (unreadable) {
    throw new UserError('E_CONFIG', `target ${name} is left out: ${unreadable.problem}`, `Fix the template of ${name}; the other targets work meanwhile.`, 2)
  }
  const names = Object.keys(config.targets)
  const near = suggest(name, names)
  throw new UserError(
    'E_UNKNOWN_TARGET',
    `unknown target "${name}"; the targets in ${path.basename(config.file)} are: ${names.join(', ')}`,
    near ? `Did you mean "${near}"?` : `Use one of: ${names.join(', ')}, or add "${name}" under targets in ${config.file}.`,
    2,
  )
}
