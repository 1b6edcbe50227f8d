import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {statusText} from './_render/release.js'

export default class Status extends ReleaseCommand {
  static override summary = 'Show the live version and the latest release of a target.'
  static override description = `Reads the ledger only: it answers at once and calls no AWS API. With --json it prints one object
{"target", "liveVersion", "lastKnownGood", "release": {"id", "version", "strategy", "kind", "state", "outcome", ...}, "lock", "interrupted", "warm"}
where outcome is inProgress, paused, succeeded, rolledBack, failed or aborted, and warm is the group kept warm (keepWarm) with "until" and "over" (then release tidy scales it to zero). Without a target, it shows every target (an array with --json); when release.yml has environments and no --env is given, every target of every environment, on-demand copies included, each with its "environment".`
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status web --json']
  static override args = {
    target: Args.string({description: 'Target to show (default: all targets).'}),
  }
  static override flags = {
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Status)
    const ws = await this.openWorkspace(flags, {readOnly: true})
    const {statusOf, statusOfAll} = await import('../app/views.js')
    if (args.target) {
      const status = await statusOf(ws, args.target)
      if (flags.json) this.printJson(status)
      else this.log(statusText(status))
      return
    }
    if (flags.env === undefined && ws.whole?.environments !== undefined) {
      const {statusOfEveryEnvironment} = await import('../app/views.js')
      const every = await statusOfEveryEnvironment(ws)
      if (flags.json) this.printJson(every)
      else this.log(every.map((s) => `[${s.environment}] ${statusText(s)}`).join('\n\n'))
      return
    }
    const all = await statusOfAll(ws)
    if (flags.json) this.printJson(all)
    else this.log(all.map(statusText).join('\n\n'))
  }
}
