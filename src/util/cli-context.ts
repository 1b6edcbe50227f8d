/**
 * Where a command reads its working directory and environment, and where its output and exit code
 * go. A real `release` process uses its own (process.cwd(), process.env, process.stdout...). Tests run
 * commands in-process (test/e2e/in-process.ts), several at once in one vitest worker, each with its
 * own directory, environment and captured output: process.chdir cannot be called in a worker thread,
 * and process.env and process.exitCode are shared by everything the worker runs.
 *
 * The context follows the command through every await (AsyncLocalStorage). It lives on globalThis so
 * that the built commands (dist/) and a test that imports this file from src/ share one.
 */
import {AsyncLocalStorage} from 'node:async_hooks'
import {tmpdir} from 'node:os'

/** The part of a stream the commands use: a captured output need not be a real stream. */
export interface Output {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

export interface CliContext {
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  readonly stdout: Output
  readonly stderr: Output
  readonly stdin: NodeJS.ReadableStream & {isTTY?: boolean}
  /** process.exitCode for a process; the run's result in-process. */
  setExitCode(code: number): void
  /** Leaves at once: process.exit, or in-process an error its runner turns into the exit code (a test worker must live on). */
  exit(code: number): never
  /** How to start this CLI again as a process of its own (--detach): node's arguments and the script. */
  readonly relaunch: {execArgv: string[]; script: string}
  /**
   * Whether the context is the whole process: signal handlers (Ctrl-C) are installed only then, and
   * only then may a test crash point kill it.
   */
  readonly ownsProcess: boolean
}

const processContext: CliContext = {
  get cwd() {
    return process.cwd()
  },
  get env() {
    return process.env
  },
  get stdout() {
    return process.stdout
  },
  get stderr() {
    return process.stderr
  },
  get stdin() {
    return process.stdin
  },
  setExitCode(code) {
    process.exitCode = code
  },
  exit(code) {
    process.exit(code)
  },
  get relaunch() {
    return {execArgv: process.execArgv, script: process.argv[1] ?? ''}
  },
  ownsProcess: true,
}

const KEY = Symbol.for('release-orchestrator.cli-context')
const store: AsyncLocalStorage<CliContext> = ((globalThis as Record<symbol, unknown>)[KEY] ??= new AsyncLocalStorage<CliContext>()) as AsyncLocalStorage<CliContext>

/** The context of the command running now: the process's own outside an in-process run. */
export function cli(): CliContext {
  return store.getStore() ?? processContext
}

/** Runs `fn` (and everything it starts) with `context` as its cli(). */
export function withCliContext<T>(context: CliContext, fn: () => T): T {
  return store.run(context, fn)
}

/** os.tmpdir() as the command's environment sets it (TMPDIR, TMP, TEMP), for caches of its own. */
export function tempRoot(): string {
  const context = cli()
  if (context.ownsProcess) return tmpdir()
  const {TMPDIR, TMP, TEMP} = context.env
  const dir = TMPDIR || TMP || TEMP
  return dir ? dir.replace(/(.)\/+$/, '$1') : tmpdir()
}
