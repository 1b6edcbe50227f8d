/**
 * What every `release` command shares: the --config flag, loading the workspace lazily (so `--help`
 * loads nothing else), and errors printed as `error CODE: message` plus the next step, never a stack
 * trace, with the exit code of the CLI contract.
 */
import {Command, Flags} from '@oclif/core'
import type {Workspace} from '../app/workspace.js'
import {suggest} from '../config/suggest.js'
import {ERROR_FILE_ENV, errorData, isUserError, writeErrorFile, type UserError} from '../errors.js'
import {EXIT} from '../ports/release.js'
import {cli} from '../util/cli-context.js'
import {format, inspect} from 'node:util'

export abstract class ReleaseCommand extends Command {
  static override baseFlags = {
    config: Flags.string({
      char: 'c',
      summary: 'Path to release.yml.',
      description: 'Defaults to release.yml in the current directory. State is kept in .release/ beside it.',
      helpGroup: 'GLOBAL',
    }),
    env: Flags.string({
      summary: 'The environment to work on (environments: in release.yml).',
      description: 'Defaults to the only environment, or the one marked default: true. Without environments: in release.yml there is one implicit environment and --env is refused.',
      helpGroup: 'GLOBAL',
    }),
  }

  /** `readOnly`: status, history, locks; they still answer for the other targets when one template is broken. */
  protected async openWorkspace(flags: {config?: string; env?: string}, options: {readOnly?: boolean; anyEnvironment?: boolean} = {}): Promise<Workspace> {
    const {openWorkspace} = await import('../app/workspace.js')
    const ws = await openWorkspace({configPath: flags.config, cwd: cli().cwd, readOnly: options.readOnly, anyEnvironment: options.anyEnvironment, ...(flags.env !== undefined ? {env: flags.env} : {})})
    for (const {target, problem} of ws.config.unreadable ?? []) {
      cli().stderr.write(`warning: target ${target} is left out: ${problem}\n  next: fix it before releasing ${target}; the other targets are shown\n`)
    }
    return ws
  }

  /** "did you mean --version?" for a mistyped flag, from this command's flags. */
  private flagSuggestion(unknown: string[] | undefined): string | undefined {
    const ctor = this.constructor as typeof ReleaseCommand
    const names = Object.keys({...ctor.baseFlags, ...ctor.flags})
    for (const typed of unknown ?? []) {
      const match = suggest(typed.replace(/^-+/, '').split('=')[0] ?? '', names)
      if (match) return `did you mean --${match}? See release help ${this.id?.replaceAll(':', ' ') ?? ''}`.trim()
    }
    return undefined
  }

  private reportUserError(error: UserError): void {
    cli().stderr.write(`error ${error.code}: ${error.message}\n  next: ${error.hint}\n`)
    // A pipeline that asked for JSON gets the error as JSON too, on stdout.
    if (this.argv.includes('--json')) this.printJson({error: errorData(error)})
    // A background release (--detach) hands its error to the process that started it as data.
    const file = cli().env[ERROR_FILE_ENV]
    if (file) writeErrorFile(file, error)
    cli().setExitCode(error.exitCode)
  }

  /** oclif's log, written to the command's own output (the process's, or a test's in-process run). */
  override log(message = '', ...args: unknown[]): void {
    if (this.jsonEnabled()) return
    cli().stdout.write(format(typeof message === 'string' ? message : inspect(message), ...args) + '\n')
  }

  /** A warning as release writes every other one (`warning: ...` on one line), not oclif's wrapped "›   Warning:". */
  override warn(input: string | Error): string | Error {
    cli().stderr.write(`warning: ${typeof input === 'string' ? input : input.message}\n`)
    return input
  }

  /** Prints JSON alone on stdout, as pipelines parse it. */
  protected printJson(value: unknown): void {
    cli().stdout.write(JSON.stringify(value, null, 2) + '\n')
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    // A refusal of the machine or the account (permissions, a read-only or full disk, credentials,
    // no connection) is said for what it is, like any error a user can fix.
    const explained = isUserError(error) ? error : (await import('../app/explain-error.js')).explainError(error, `release ${this.id?.replaceAll(':', ' ') ?? ''}`.trim())
    if (explained) {
      if (cli().env.RELEASE_DEBUG && explained !== error) cli().stderr.write(`${error.stack}\n`)
      return this.reportUserError(explained)
    }
    // oclif's parse errors (unknown flag, missing argument or value) are usage errors, exit 2: with a
    // did-you-mean for a mistyped flag, and as JSON on stdout when the pipeline asked for --json.
    if ('parse' in error && error.oclif?.exit !== undefined) {
      // this.parse ran and refused the arguments. oclif marks a command parsed only when its parse
      // succeeds, and would then warn "did you forget to call this.parse" after every usage error
      // (outside production: a node environment of test or development). A command that never parses still warns.
      this.parsed = true
      // oclif wraps some (a missing required flag, exclusive flags) in a preamble that says nothing.
      const message = error.message.replace(/\nSee more help with --help$/, '').replace(/^The following errors? occurred:\s*/, '')
      const next = this.flagSuggestion((error as {flags?: string[]}).flags) ?? `see release help ${this.id?.replaceAll(':', ' ') ?? ''}`.trim()
      cli().stderr.write(`error E_USAGE: ${message}\n  next: ${next}\n`)
      if (this.argv.includes('--json')) this.printJson({error: {code: 'E_USAGE', message, next, exitCode: EXIT.usage}})
      cli().setExitCode(EXIT.usage)
      return
    }
    // oclif's own exits keep their codes.
    if (error.oclif?.exit !== undefined) throw error
    cli().stderr.write(`error: ${error.message}\n`)
    if (cli().env.RELEASE_DEBUG) cli().stderr.write(`${error.stack}\n`)
    else cli().stderr.write('  next: this looks like a bug in release; run again with RELEASE_DEBUG=1 for details\n')
    cli().setExitCode(EXIT.failed)
  }

  private printUserError(error: UserError): void {
    cli().stderr.write(`error ${error.code}: ${error.message}\n  next: ${error.hint}\n`)
    // A pipeline that asked for JSON gets the error as JSON too, on stdout.
    if (this.argv.includes('--json')) {
      this.printJson({error: {code: error.code, message: error.message, next: error.hint, exitCode: error.exitCode}})
    }
    cli().setExitCode(error.exitCode)
  }
}
