/** Runs a rollout or rollback with progress on stderr, then prints the verdict and sets the exit code. */
import type {ReleaseHooks, ReleaseResult} from '../../app/release.js'
import type {Workspace} from '../../app/workspace.js'
import {progressView} from './progress.js'
import {statusText} from './release.js'

export async function runWithProgress(
  ws: Workspace,
  json: boolean,
  start: (hooks: ReleaseHooks) => Promise<ReleaseResult>,
): Promise<void> {
  const view = progressView()
  let result: ReleaseResult
  let target: string | undefined
  // The release is persisted after every step: an interrupted one is continued, not lost.
  const interrupted = () => {
    view.stop()
    process.stderr.write(
      `\ninterrupted: the release stays in progress where it was persisted${target ? `; continue it with: release resume ${target}` : ''}\n`,
    )
    process.exit(130)
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  try {
    result = await start({
      onStart: (record, how) => {
        target = record.target
        view.start(record, how.resumed)
      },
      onTransition: (state) => view.transition(state),
      onProgress: (event) => view.progress(event),
    })
  } finally {
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
    view.stop()
  }
  const {statusOf} = await import('../../app/views.js')
  const status = await statusOf(ws, result.record.target)
  if (json) process.stdout.write(JSON.stringify(status, null, 2) + '\n')
  else process.stdout.write(`${statusText(status)}\n`)
  process.exitCode = result.exitCode
}
