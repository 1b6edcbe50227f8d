import {realpathSync, statSync} from 'node:fs'
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

/** A config file larger than this is not a release.yml: refused before it is read. */
export const MAX_CONFIG_BYTES = 1024 * 1024

/**
 * Why `file` cannot be read as a config file (a FIFO or a device would block the read for ever, a
 * huge file would take the parser as long), or undefined when it is a regular file of sane size or
 * does not exist (the read then says so).
 */
export function configFileProblem(file: string): string | undefined {
  const stats = statSync(file, {throwIfNoEntry: false})
  if (stats === undefined) return undefined
  if (!stats.isFile()) return `is not a regular file (${kindOf(stats)}); a config file must be one`
  if (stats.size > MAX_CONFIG_BYTES) return `is ${stats.size} bytes, more than a config file may be (${MAX_CONFIG_BYTES})`
  return undefined
}

/** Pseudo-filesystems whose entries are not storage: state written there is lost or refused. */
const NOT_STORAGE = ['/proc', '/sys', '/dev']

/**
 * Why `dir` cannot hold the state (ledgers, leases, journals), or undefined when it can: an existing
 * directory, or a path whose nearest existing ancestor is a directory, outside /proc, /sys and /dev.
 */
export function stateDirProblem(dir: string): string | undefined {
  let existing = path.resolve(dir)
  while (statSync(existing, {throwIfNoEntry: false}) === undefined && path.dirname(existing) !== existing) existing = path.dirname(existing)
  const stats = statSync(existing, {throwIfNoEntry: false})
  if (stats !== undefined && !stats.isDirectory()) {
    return existing === path.resolve(dir) ? `is not a directory (${kindOf(stats)})` : `cannot be created: ${existing} is not a directory`
  }
  const real = realpathSync(existing)
  const pseudo = NOT_STORAGE.find((root) => real === root || real.startsWith(`${root}/`))
  if (pseudo !== undefined) return `is in ${pseudo} (${real}), a pseudo-filesystem, not storage`
  return undefined
}

function kindOf(stats: import('node:fs').Stats): string {
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a FIFO'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  return 'not a regular file'
}
