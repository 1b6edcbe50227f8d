/**
 * What every `release` command shares: the --config flag, loading the workspace lazily (so `--help`
 * loads nothing else), and errors printed as `error CODE: message` plus the next step, never a stack
 * trace, with the exit code of the CLI contract.
 */
import {Command, Flags} from '@oclif/core'
import type {Workspace} from '../app/workspace.js'
import {isUserError} from '../errors.js'
import {EXIT} from '../ports/release.js'

export abstract class ReleaseCommand extends Command {
  static override baseFlags = {
    config: Flags.string({
      char: 'c',
      summary: 'Path to release.yml.',
      description: 'Defaults to release.yml in the current directory. State is kept in .release/ beside it.',
      helpGroup: 'GLOBAL',
    }),
  }

  protected async openWorkspace(configPath: string | undefined): Promise<Workspace> {
    const {openWorkspace} = await import('../app/workspace.js')
    return openWorkspace({configPath})
  }

  /** Prints JSON alone on stdout, as pipelines parse it. */
  protected printJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n')
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    if (isUserError(error)) {
      process.stderr.write(`error ${error.code}: ${error.message}\n  next: ${error.hint}\n`)
      // A pipeline that asked for JSON gets the error as JSON too, on stdout.
      if (this.argv.includes('--json')) {
        this.printJson({error: {code: error.code, message: error.message, next: error.hint, exitCode: error.exitCode}})
      }
      process.exitCode = error.exitCode
      return
    }
    // oclif's own usage errors (unknown flag, missing argument) and exits keep their codes.
    if (error.oclif?.exit !== undefined) throw error
    process.stderr.write(`error: ${error.message}\n`)
    if (process.env.RELEASE_DEBUG) process.stderr.write(`${error.stack}\n`)
    else process.stderr.write('  next: this looks like a bug in release; run again with RELEASE_DEBUG=1 for details\n')
    process.exitCode = EXIT.failed
  }
}
