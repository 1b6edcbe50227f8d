import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from '../../_base.js'

export default class SimDriftInstance extends ReleaseCommand {
  static override summary = 'Change the version an instance of the simulated account runs, as someone would by hand.'
  static override description = 'For demos and tests of release drift and release converge. Only for account: simulated.'
  static override examples = ['<%= config.bin %> sim drift instance i-0abc --version 1.0.0']
  static override args = {instance: Args.string({description: 'Instance id (see release sim show).', required: true})}
  static override flags = {version: Flags.string({summary: 'The version it runs from now on.', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(SimDriftInstance)
    const {validateVersion} = await import('../../../config/version.js')
    validateVersion(flags.version)
    const ws = await this.openWorkspace(flags)
    const {simCauseDrift} = await import('../../../app/sim.js')
    this.log(await simCauseDrift(ws, {kind: 'instance', instanceId: args.instance, version: flags.version}))
  }
}
