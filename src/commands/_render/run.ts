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
  try {
    result = await start({
      onStart: (record) => view.start(record),
      onTransition: (state) => view.transition(state),
      onProgress: (event) => view.progress(event),
    })
  } finally {
    view.stop()
  }
  const {statusOf} = await import('../../app/views.js')
  const status = await statusOf(ws, result.record.target)
  if (json) process.stdout.write(JSON.stringify(status, null, 2) + '\n')
  else process.stdout.write(`${statusText(status)}\n`)
  process.exitCode = result.exitCode
}
