/**
 * Whether a process of this host still runs. `process.kill(pid, 0)` alone succeeds on a zombie (a
 * process that died but was not yet reaped by its parent, as for a moment after `kill -9`), which
 * would make a dead lease holder look alive. On Linux the state letter of /proc/<pid>/stat tells: Z
 * (zombie) and X (dead) are gone.
 */
import {readFileSync} from 'node:fs'

export type ProcessState = 'alive' | 'gone'

export function processState(pid: number): ProcessState {
  if (!Number.isSafeInteger(pid) || pid <= 0) return 'gone'
  if (!signalReaches(pid)) return 'gone'
  if (process.platform !== 'linux') return 'alive'
  const state = linuxState(pid)
  return state === 'Z' || state === 'X' || state === 'x' ? 'gone' : 'alive'
}

export function isProcessAlive(pid: number): boolean {
  return processState(pid) === 'alive'
}

function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as {code?: string}).code === 'EPERM'
  }
}

/** The state letter of /proc/<pid>/stat; undefined when it cannot be read (then the signal decides). */
function linuxState(pid: number): string | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch (error) {
    return (error as {code?: string}).code === 'ENOENT' ? 'X' : undefined
  }
  // "pid (comm) S ...": comm may itself hold spaces and parentheses, so look after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || undefined
}
