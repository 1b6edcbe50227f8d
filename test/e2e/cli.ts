/** Runs the built `release` binary as a user would, on a project directory with the simulated account. */
import {spawn, type ChildProcess} from 'node:child_process'
import {resolve} from 'node:path'

export const BIN = resolve(import.meta.dirname, '../../bin/run.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export function release(args: string[], options: {cwd: string; env?: Record<string, string>; nodeArgs?: string[]}): Promise<CliResult> {
  return startRelease(args, options).result
}

/** The binary started, not awaited: its process (to signal it) and its result once it exits. */
export function startRelease(args: string[], options: {cwd: string; env?: Record<string, string>; nodeArgs?: string[]}): {child: ChildProcess; result: Promise<CliResult>} {
  let child!: ChildProcess
  const result = new Promise<CliResult>((done, fail) => {
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      cwd: options.cwd,
      // Instant virtual time: the simulated account's delays cost no real time.
      env: {...process.env, RELEASE_SIM_SPEED: 'instant', CI: 'true', ...options.env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (d) => (stdout += d))
    child.stderr!.on('data', (d) => (stderr += d))
    child.on('error', fail)
    child.on('close', (code) => done({code: code ?? -1, stdout, stderr}))
  })
  return {child, result}
}

export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`)
  }
}
