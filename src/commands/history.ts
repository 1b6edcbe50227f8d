import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {historyText} from './_render/release.js'

export default class History extends ReleaseCommand {
  static override summary = "List a target's releases, newest first."
  static override description = 'Reads the ledger only. With --json, an array of release objects (id, version, strategy, kind, state, outcome, previousVersion, startedAt, endedAt, message), newest first.'
  static override examples = ['<%= config.bin %> history web', '<%= config.bin %> history web --json --limit 5']
  static override args = {
    target: Args.string({description: 'Target whose releases to list.', required: true}),
  }
  static override flags = {
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
    limit: Flags.integer({summary: 'Show at most this many releases.', min: 1}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(History)
    const ws = await this.openWorkspace(flags, {readOnly: true})
    const {historyOf} = await import('../app/views.js')
    const releases = (await historyOf(ws, args.target)).slice(0, flags.limit)
    if (flags.json) this.printJson(releases)
    else this.log(historyText(args.target, releases))
  }
}
