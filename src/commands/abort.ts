import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {runWithProgress} from './_render/run.js'
import {cli} from '../util/cli-context.js'

export default class Abort extends ReleaseCommand {
  static override summary = 'Send a release back: at its gate, or while it runs.'
  static override description = `Rolls back a release paused at a gate, or a running one at its next step boundary (a running process notices within one poll, or within 30 s during an incremental window; this command waits for it to end, at most --wait, 10m by default; a release whose process died, or whose lease goes stale during the wait, is resumed here and goes back at once). When the running release has not ended within --wait, abort exits 5 (E_ABORT_PENDING) saying whether its process has begun going back; the request stays recorded, so that process still goes back at its next look, and release resume carries the abort out if that process is gone. At a gate: before the shift its new stack is discarded (traffic never moved); before retiring, traffic returns to the old group first; after the canary, the canary instances get their previous version back. The release ends with outcome aborted (exit 3) and the previous version live. Works from any process that shares the state directory.`
  static override examples = [
    '<%= config.bin %> abort web --reason "error rate up on the canary"',
    '<%= config.bin %> abort web --wait 0s   # record the request and return (exit 5 while the release runs)',
  ]
  static override args = {
    target: Args.string({description: 'Target whose paused or running release to send back.', required: true}),
  }
  static override flags = {
    reason: Flags.string({summary: 'Why, kept in the ledger and journal (with who) and shown by status and history.'}),
    wait: Flags.string({
      summary: 'How long to wait for a running release to end, e.g. 90s, 30m; 0s records the request and returns. Past it: exit 5, the request stays.',
      default: '10m',
      helpValue: 'DURATION',
    }),
    json: Flags.boolean({summary: 'Print the final status as JSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Abort)
    const {parseDuration} = await import('../config/index.js')
    const waitMs = parseDuration(flags.wait)
    const ws = await this.openWorkspace(flags)
    const {abort} = await import('../app/release.js')
    // A running release is taken back by its own process: say what this command waits for, and how long.
    const onAbortRequested = (record: {id: string; state: string}) =>
      void cli().stderr.write(`abort of ${record.id} requested at ${record.state}; waiting up to ${flags.wait} for the process running it to take it back\n`)
    await runWithProgress(ws, flags.json, (hooks) => abort(ws, {target: args.target, reason: flags.reason, waitMs}, {...hooks, onAbortRequested}))
  }
}
