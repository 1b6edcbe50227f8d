/**
 * Runs `release` as a user would, on a project directory with the simulated account: in this test
 * worker by default (in-process.ts: the same commands, parsing and exit codes, without the cost of a
 * node process), or as the built binary in a process of its own when the test needs one.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {resolve} from 'node:path'
import {cliEnvironment, releaseInProcess} from './in-process.js'

export const BIN = resolve(import.meta.dirname, '../../bin/run.js')

/**
 * The time bound of an end-to-end test that runs at once with others of its file (describe.concurrent):
 * their processes share a loaded 2-core machine, so each takes longer than alone. A bound, not a pace.
 */
export const CONCURRENT_TIMEOUT_MS = 240_000

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export interface CliOptions {
  cwd: string
  env?: Record<string, string>
  /** Node's own options for the process (e.g. --import hooks); implies a process of its own. */
  nodeArgs?: string[]
  /** Run bin/run.js in a process of its own even if nothing else asks for one. */
  process?: boolean
}

/**
 * Environment settings that act on the process itself: a crash point kills it with SIGKILL, the
 * others are read by --import hooks (test/e2e/*.mjs).
 *
 * A crash point stays a real SIGKILL of a process of its own: in-process it could only throw, and a
 * throw is not a kill. It runs the finally blocks a kill skips (the release's and an environment
 * run's `lease.release()`, so the next command would never meet a dead holder's lease; the journal's
 * flush), and the command's error handling writes what a dead process never writes. The worker's pid
 * is alive, too, so even a run frozen in place would leave a lease nobody may take over.
 */
const PROCESS_SETTINGS = ['RELEASE_TEST_CRASH_AT', 'RELEASE_TEST_REFUSE', 'RELEASE_TRACK_IMPORTS']

/**
 * Whether this run needs a real process: node options, a crash point, or --detach (whose caller
 * starts a background process from its own command line and environment).
 */
export function needsProcess(args: string[], options: CliOptions): boolean {
  return (
    // RELEASE_TEST_PROCESSES=1: every run through the binary, to check that in-process runs hide nothing.
    process.env.RELEASE_TEST_PROCESSES === '1' ||
    options.process === true ||
    (options.nodeArgs?.length ?? 0) > 0 ||
    args.includes('--detach') ||
    PROCESS_SETTINGS.some((name) => options.env?.[name] !== undefined)
  )
}

export function release(args: string[], options: CliOptions): Promise<CliResult> {
  return needsProcess(args, options) ? releaseProcess(args, options) : releaseInProcess(args, options)
}

/** The built binary in a process of its own, stdin closed, stdout and stderr captured. */
export function releaseProcess(args: string[], options: CliOptions): Promise<CliResult> {
  return startRelease(args, options).result
}

/** The binary started in a process of its own, not awaited: its process (to signal it) and its result once it exits. */
export function startRelease(args: string[], options: CliOptions): {child: ChildProcess; result: Promise<CliResult>} {
  let child!: ChildProcess
  const result = new Promise<CliResult>((done, fail) => {
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      cwd: options.cwd,
      env: cliEnvironment(options.env),
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
