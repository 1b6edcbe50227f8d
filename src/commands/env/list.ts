import {Flags} from '@oclif/core'
import {ReleaseCommand} from '../_base.js'
import {environmentsText} from '../_render/environments.js'

export default class EnvList extends ReleaseCommand {
  static override summary = 'List every environment: its source, owner, age, expiry, targets, instances and estimated cost.'
  static override description = `The environments of release.yml and the on-demand copies. Instances are those of the stacks each environment made; the cost is an estimate: instances times the on-demand price of their type (docs/environments.md has the table; ephemeral.prices in release.yml overrides it), per day at the current count and so far since each stack was made.`
  static override examples = ['<%= config.bin %> env list', '<%= config.bin %> env list --json']
  static override flags = {json: Flags.boolean({summary: 'Print JSON only, on stdout.'})}

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvList)
    const ws = await this.openWorkspace({config: flags.config}, {anyEnvironment: true, readOnly: true})
    const {listEnvironments} = await import('../../app/environments/list.js')
    const views = await listEnvironments(ws)
    if (flags.json) this.printJson(views)
    else this.log(environmentsText(views, ws.now()))
  }
}
