import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'

export default class Tidy extends ReleaseCommand {
  static override summary = 'Scale to zero the groups whose keepWarm period is over.'
  static override description = `After a success with keepWarm, the group that served before stays serving-ready (no boot on a rollback) until the time the ledger recorded. release runs no process between releases, so that period ends when the target is next touched: any rollout, rollback, resume, promote or abort of the target first scales a warm group whose period is over to zero. Run tidy from a scheduled CI job (every 15 minutes, say) so that warm groups stop costing money on time even when no release comes.

Each target is tidied under its lease. A target locked by a release is skipped (that release ends the period itself). A group still attached to a traffic source is never scaled down; its stack is kept either way, for a rollback without a new stack. release status shows "warm until HH:MM" or "warm period over".

Exit code 0 whatever there was to do; 2 for an unknown target.`
  static override examples = ['<%= config.bin %> tidy', '<%= config.bin %> tidy web --json']
  static override args = {
    target: Args.string({description: 'Target to tidy (default: every target).'}),
  }
  static override flags = {
    json: Flags.boolean({summary: 'Print JSON only, on stdout: an array of {target, ended, skipped, warmUntil, message}.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Tidy)
    const ws = await this.openWorkspace(flags)
    const {tidy} = await import('../app/tidy.js')
    const results = await tidy(ws, {target: args.target})
    if (flags.json) return this.printJson(results)
    for (const result of results) {
      if (result.ended?.done === 'attached') this.warn(result.message)
      else this.log(result.message)
    }
  }
}
