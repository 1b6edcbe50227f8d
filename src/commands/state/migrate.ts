import {Flags} from '@oclif/core'
import {ReleaseCommand} from '../_base.js'

export default class StateMigrate extends ReleaseCommand {
  static override summary = 'Copy a file state directory into the DynamoDB state table.'
  static override description =
    'Copies the ledgers, releases and journals of a state directory (the stateDir of a project that ran with the file backend) into the table release.yml names. Safe to run again: a target whose ledger the table already holds as is is left alone, and a copy stopped half-way is completed. A target whose releases in the table differ from the directory is refused, with nothing copied (exit 2). With environments in release.yml, copies one environment (--env, by default the default one): its keys under envs/<env>/ in the directory. Leases are not copied: run it when no release is in progress.'
  static override examples = ['<%= config.bin %> state migrate --from .release']
  static override flags = {
    from: Flags.string({summary: 'The state directory to copy.', required: true}),
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(StateMigrate)
    const ws = await this.openWorkspace(flags)
    const {migrateState} = await import('../../app/state.js')
    const result = await migrateState(ws, flags.from)
    if (flags.json) return this.printJson(result)
    for (const t of result.targets) {
      this.log(t.status === 'copied' ? `${t.target}: copied the ledger and ${t.releases} releases into ${result.table}` : `${t.target}: already in ${result.table}, left as it is`)
    }
  }
}
