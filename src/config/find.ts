import {statSync} from 'node:fs'
import path from 'node:path'

export const CONFIG_FILE_NAMES = ['release.yml', 'release.yaml'] as const

/** release.yml (then release.yaml) in `cwd`, or undefined. */
export function findConfig(cwd: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = path.resolve(cwd, name)
    if (statSync(candidate, {throwIfNoEntry: false})?.isFile()) return candidate
  }
  return undefined
}
