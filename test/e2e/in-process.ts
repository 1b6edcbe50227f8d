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
 * The environment of a test's CLI run, in this worker or in a process of its own (cli.ts): this
 * worker's, as a user's shell would give it, with instant virtual time (the simulated account's delays
 * cost no real time) and a CI log, then `extra`.
 *
 * Without NODE_ENV: vitest sets it to `test` in its workers, and a user's shell does not. oclif reads
 * it (@oclif/core's isProd): under `test` or `development` each start first looks for the commands'
 * TypeScript sources, loading the TypeScript compiler to read tsconfig.json and trying to register
 * tsx and ts-node, before it falls back to dist/ as it always does here. That cost about 0.45 s of CPU
 * per process started (#17), for a path no user of the built binary takes.
 */
export function cliEnvironment(extra?: Record<string, string>): Record<string, string | undefined> {
  const {NODE_ENV: _runner, ...env} = process.env
  return {...env, RELEASE_SIM_SPEED: 'instant', CI: 'true', ...extra}
}

/**
 * oclif's configuration of the package (its manifest), loaded once per worker.
 *
 * The compiled commands, as the built binary loads them for a user: this worker's NODE_ENV=test
 * (which oclif reads from the process, not from a run's environment) would have it look for their
 * TypeScript sources first on every run, as cliEnvironment says.
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
    env: cliEnvironment(options.env),
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
