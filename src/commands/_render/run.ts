/** Runs a rollout or rollback with progress on stderr, then prints the verdict and sets the exit code. */
import type {ReleaseHooks, ReleaseResult} from '../../app/release.js'
import type {Workspace} from '../../app/workspace.js'
import {progressView} from './progress.js'
import {statusText} from './release.js'
import {cli} from '../../util/cli-context.js'

export async function runWithProgress(
  ws: Workspace,
  json: boolean,
  start: (hooks: ReleaseHooks) => Promise<ReleaseResult>,
): Promise<void> {
  const context = cli()
  const view = progressView(context.stderr, context.env)
  let result: ReleaseResult
  let target: string | undefined
  // The release is persisted after every step: an interrupted one is continued, not lost.
  const interrupted = () => {
    view.stop({outcome: 'interrupted'})
    context.stderr.write(
      `\ninterrupted: the release stays in progress where it was persisted${target ? `; continue it with: release resume ${target}` : ''}\n`,
    )
    context.exit(130)
  }
  // Signals belong to a process of our own; an in-process run (tests) leaves them to its host.
  if (context.ownsProcess) {
    process.once('SIGINT', interrupted)
    process.once('SIGTERM', interrupted)
  }
  try {
    result = await start({
      onStart: (record, how) => {
        target = record.target
        view.start(record, how.resumed ? (how.as ?? 'resumed') : undefined)
      },
      onTransition: (state) => view.transition(state),
      onProgress: (event) => view.progress(event),
    })
  } catch (error) {
    view.stop()
    throw error
  } finally {
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
  }
  const failure = result.record.details?.failure
  // An abort that waited for a release running elsewhere never saw it start: its end still names it.
  view.follow(result.record.id)
  view.stop({outcome: result.outcome, ...(failure?.step ? {failedStep: failure.step} : {})})
  const {statusOf} = await import('../../app/views.js')
  const status = await statusOf(ws, result.record.target)
  // Where a person must act, say so on stderr too, where a CI log shows it even with --json.
  if (result.outcome === 'paused') context.stderr.write(`${result.message}\n`)
  if (json) context.stdout.write(JSON.stringify(status, null, 2) + '\n')
  else context.stdout.write(`${statusText(status)}\n`)
  context.setExitCode(result.exitCode)
}

/**
 * `--detach`: starts the same command as a background process and returns once the ledger shows its
 * release, printing the id and how to follow it; the background process's output goes to a log in the
 * state directory. Its refusal (bad input, a lock) is this command's error, with its exit code.
 */
export async function runDetached(
  ws: Workspace,
  json: boolean,
  request: {target: string; kind: 'rollout' | 'rollback'; version?: string; args: string[]; config?: string},
): Promise<void> {
  const {detach} = await import('../../app/detach.js')
  const context = cli()
  // The background process prints for people (its log); only this one answers in JSON.
  // The environment the workspace was opened in, so that the background process works in the same one.
  const env = ws.config.environment
  const args = [...request.args, ...(request.config === undefined ? [] : ['--config', request.config]), ...(env === undefined ? [] : ['--env', env])]
  const started = await detach(ws, {
    target: request.target,
    kind: request.kind,
    version: request.version,
    argv: [context.relaunch.script, ...args],
    execArgv: context.relaunch.execArgv,
    cwd: context.cwd,
    env: context.env,
  })
  if (json) {
    context.stdout.write(JSON.stringify({id: started.id, target: started.target, log: started.log}, null, 2) + '\n')
    return
  }
  const config = request.config === undefined ? '' : ` --config ${shellWord(request.config)}`
  context.stdout.write(
    `started ${started.id}; follow it with: release events ${started.target} --follow${config}, or wait with: release wait ${started.target}${config}\n`,
  )
  context.stderr.write(`its output goes to ${started.log} (pid ${started.pid})\n`)
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`
}
