import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from '../../_base.js'

export default class SimDriftLaunch extends ReleaseCommand {
  static override summary = 'Launch an instance on an old version into a group of the simulated account, as someone would by hand.'
  static override description =
    'The group keeps it (its desired capacity goes up by one). release drift reports it as an instance that joined the fleet on another version; release converge puts the live version on it (incremental) or has the group replace it (immutable). Only for account: simulated.'
  static override examples = ['<%= config.bin %> sim drift launch api-fleet --version 1.0.0']
  static override args = {group: Args.string({description: 'Group name (see release sim show).', required: true})}
  static override flags = {version: Flags.string({summary: 'The version the new instance runs.', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(SimDriftLaunch)
    const {validateVersion} = await import('../../../config/version.js')
    validateVersion(flags.version)
    const ws = await this.openWorkspace(flags)
    const {simCauseDrift} = await import('../../../app/sim.js')
    this.log(await simCauseDrift(ws, {kind: 'launch', group: args.group, version: flags.version}))
  }
}
