import {Flags} from '@oclif/core'
import {ReleaseCommand} from '../_base.js'

export default class SimShow extends ReleaseCommand {
  static override summary = 'Print the simulated AWS account: stacks, groups, instances and traffic.'
  static override description =
    'Shows what the embedded simulated account holds now: stacks and their status, Auto Scaling groups with their instances (version, lifecycle, health, whether their SSM agent is registered), and which groups are attached to which traffic sources. Only for account: simulated (the default).'
  static override examples = ['<%= config.bin %> sim show', '<%= config.bin %> sim show --json']
  static override flags = {
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(SimShow)
    const ws = await this.openWorkspace(flags)
    const {simAccountView} = await import('../../app/sim.js')
    const {view, text} = await simAccountView(ws)
    if (flags.json) this.printJson(view)
    else this.log(text)
  }
}
