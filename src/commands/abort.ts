import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {runWithProgress} from './_render/run.js'

export default class Abort extends ReleaseCommand {
  static override summary = 'Send a release back: at its gate, or while it runs.'
  static override description = `Rolls back a release paused at a gate, or a running one at its next step boundary (a running process notices within one poll; this command waits for it to end; a release whose process died is resumed here and goes back at once). At a gate: before the shift its new stack is discarded (traffic never moved); before retiring, traffic returns to the old group first; after the canary, the canary instances get their previous version back. The release ends with outcome aborted (exit 3) and the previous version live. Works from any process that shares the state directory.`
  static override examples = ['<%= config.bin %> abort web --reason "error rate up on the canary"']
  static override args = {
    target: Args.string({description: 'Target whose paused or running release to send back.', required: true}),
  }
  static override flags = {
    reason: Flags.string({summary: 'Why, kept in the ledger and journal (with who) and shown by status and history.'}),
    json: Flags.boolean({summary: 'Print the final status as JSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Abort)
    const ws = await this.openWorkspace(flags)
    const {abort} = await import('../app/release.js')
    await runWithProgress(ws, flags.json, (hooks) => abort(ws, {target: args.target, reason: flags.reason}, hooks))
  }
}
