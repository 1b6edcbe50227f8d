import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {runWithProgress} from './_render/run.js'

export default class Promote extends ReleaseCommand {
  static override summary = 'Continue a release waiting at a gate.'
  static override description = `A target with gates (beforeShift, beforeRetire for immutable; afterCanary for incremental) stops there: rollout exits 10 with outcome paused. promote continues it to the end, from any process that shares the state directory (a later CI job, an approval step).

Exit codes as for rollout: 0 live, 3 rolled back, 1 needs a human, 10 paused at the next gate; 2 when no release is waiting at a gate.`
  static override examples = ['<%= config.bin %> promote web', '<%= config.bin %> promote api --json']
  static override args = {
    target: Args.string({description: 'Target whose paused release to continue.', required: true}),
  }
  static override flags = {
    json: Flags.boolean({summary: 'Print the final status as JSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Promote)
    const ws = await this.openWorkspace(flags)
    const {promote} = await import('../app/release.js')
    await runWithProgress(ws, flags.json, (hooks) => promote(ws, {target: args.target}, hooks))
  }
}
