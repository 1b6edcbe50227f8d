/**
 * Runs a `release` command inside this test worker, as the binary would run it in a process of its
 * own: oclif's `run` over the built commands (dist/, as bin/run.js loads them), with its own working
 * directory, environment, captured stdout and stderr, and exit code (src/util/cli-context.ts). No
 * process.chdir, no change to process.env: several runs may go on at once in one worker.
 *
 * What needs a real process stays in cli.ts's spawning runner: signals, crash points that SIGKILL,
 * node options (--import hooks), --detach's background process, start-up imports.
 */
import {Config, run, settings} from '@oclif/core'
import {Exit, handle} from '@oclif/core/handle'
import {Readable} from 'node:stream'
import {resolve} from 'node:path'
import {format} from 'node:util'
import {cli, withCliContext, type CliContext} from '../../src/util/cli-context.js'

const ROOT = resolve(import.meta.dirname, '../..')
const BIN = resolve(ROOT, 'bin/run.js')

export interface InProcessResult {
  code: number
  stdout: string
  stderr: string
}

/** How an in-process run's `exit` leaves it: the runner turns it into the run's exit code. */
class InProcessExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}

let loaded: Promise<Config> | undefined

/**
 * oclif's configuration of the package (its manifest), loaded once per worker.
 *
 * The compiled commands, as the built binary loads them for a user: vitest's NODE_ENV=test would have
 * oclif look for their TypeScript sources first (the TypeScript compiler loaded to read tsconfig.json,
 * tsx and ts-node looked for on every run) before it falls back to dist/ (cli.ts, processEnvironment).
 */
function oclifConfig(): Promise<Config> {
  settings.enableAutoTranspile = false
  loaded ??= Config.load({root: ROOT}).then((config) => (routeHostOutput(), config))
  return loaded
}

/**
 * oclif writes some output itself (help, warnings, its error handler) with console.log and
 * console.error, and its handler ends with process.exit. Inside a run these go to the run's context;
 * outside one they are left as they were.
 */
function routeHostOutput(): void {
  const inRun = () => {
    const context = cli()
    return context.ownsProcess ? undefined : context
  }
  const log = console.log.bind(console)
  const error = console.error.bind(console)
  console.log = (...args: unknown[]) => {
    const context = inRun()
    if (context) context.stdout.write(format(...args) + '\n')
    else log(...args)
  }
  console.error = (...args: unknown[]) => {
    const context = inRun()
    if (context) context.stderr.write(format(...args) + '\n')
    else error(...args)
  }
  const exit = Exit.exit.bind(Exit)
  // oclif's handler is the last thing a run does: its exit is the run's exit code, and it returns.
  Exit.exit = ((code = 0) => {
    const context = inRun()
    if (context) context.setExitCode(code)
    else exit(code)
  }) as typeof Exit.exit
}

export async function releaseInProcess(args: string[], options: {cwd: string; env?: Record<string, string>}): Promise<InProcessResult> {
  const config = await oclifConfig()
  let stdout = ''
  let stderr = ''
  let code: number | undefined
  const context: CliContext = {
    cwd: options.cwd,
    // As cli.ts gives a spawned CLI: instant virtual time, a CI log.
    env: {...process.env, RELEASE_SIM_SPEED: 'instant', CI: 'true', ...options.env},
    stdout: {write: (text: string) => (stdout += text, true), isTTY: false},
    stderr: {write: (text: string) => (stderr += text, true), isTTY: false},
    // As spawned with stdin ignored: nothing to read, not a terminal.
    stdin: Readable.from([]),
    setExitCode: (value) => (code = value),
    exit: (value) => {
      throw new InProcessExit(value)
    },
    relaunch: {execArgv: [], script: BIN},
    ownsProcess: false,
  }
  await withCliContext(context, async () => {
    try {
      await run(args, config)
    } catch (error) {
      if (error instanceof InProcessExit) code = error.code
      // What bin/run.js does with an error no command caught: oclif's handler prints it and exits.
      else await handle(error as Error)
    }
  })
  return {code: code ?? 0, stdout, stderr}
}
