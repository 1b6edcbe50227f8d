import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from '../_base.js'

export default class LedgerRebuild extends ReleaseCommand {
  static override summary = "Rebuild a target's ledger from the account (immutable targets)."
  static override description = `A lost or partial ledger (a state directory deleted, a CI runner without the shared state) makes rollout and rollback exit 2 with nothing changed, naming what the account holds that the ledger does not know. This command reads the target's stacks by their release:* tags (target, version, release id), adds a record for each stack the ledger lacks (usable stacks as succeeded releases, failed ones as failed), and makes the version whose group serves the traffic sources the live version. Records the ledger has are kept. It holds the target's lock while it writes.`
  static override examples = ['<%= config.bin %> ledger rebuild web', '<%= config.bin %> ledger rebuild web --json']
  static override args = {
    target: Args.string({description: 'Target whose ledger to rebuild.', required: true}),
  }
  static override flags = {
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(LedgerRebuild)
    const ws = await this.openWorkspace(flags)
    const {rebuildLedger} = await import('../../app/ledger-rebuild.js')
    const result = await rebuildLedger(ws, {target: args.target})
    if (flags.json) return this.printJson(result)
    const lines = result.added.length
      ? result.added.map((r) => `added ${r.id}: version ${r.version}, stack ${r.stackName}, ${r.outcome}`)
      : ['the ledger already knows every stack of the target']
    lines.push(`live version: ${result.liveVersion ?? 'none'}${result.servingStack ? ` (${result.servingStack} serves the traffic sources)` : ''}`)
    this.log(lines.join('\n'))
  }
}
