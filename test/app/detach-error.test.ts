/**
 * A background release (--detach) that stops before it begins hands its error to the parent as data
 * (issue 17.4), not as stderr text parsed with a regex: code, message, next step and exit code arrive
 * as they were, whatever the text holds.
 */
import {describe, expect, it} from 'vitest'
import {detach} from '../../src/app/detach.js'
import {ERROR_FILE_ENV} from '../../src/errors.js'
import {openProject} from '../fakes/workspace.js'

describe('detach', () => {
  it("re-raises the background process's own error, exactly, with its exit code", async () => {
    const {ws} = await openProject()
    const error = {
      code: 'E_LOCKED',
      message: 'target web is locked by ci@runner pid 7\n  next: this line is part of the message',
      next: 'Wait for release web-3 to finish (release status web)',
      exitCode: 4,
    }
    // The child: noise on stderr, its error as data in the file the parent named, then exit 4.
    const script = `process.stderr.write('error E_OTHER: noise\\n  next: not this\\n'); require('fs').writeFileSync(process.env.${ERROR_FILE_ENV}, ${JSON.stringify(JSON.stringify(error))}); process.exit(4)`
    let tick = 0
    const raised = await detach(ws, {target: 'web', kind: 'rollout', version: '2.0.0', argv: ['-e', script]}, {
      // No real sleeping: each wait only lets the event loop turn (the child's exit arrives there).
      sleep: () => new Promise((resolve) => setImmediate(resolve)),
      now: () => tick++,
      startMs: 10_000_000,
    }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(raised).toMatchObject({code: 'E_LOCKED', message: error.message, hint: error.next, exitCode: 4})
  })
})
