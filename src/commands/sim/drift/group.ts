import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from '../../_base.js'

export default class SimDriftGroup extends ReleaseCommand {
  static override summary = "Set an Auto Scaling group's desired capacity in the simulated account by hand (scale a retained group back up)."
  static override description =
    'As UpdateAutoScalingGroup from the console would: the group launches or terminates instances to match (MaxSize raised with it when needed). A retained group above zero is what release drift reports and release converge scales back down. Only for account: simulated.'
  static override examples = ['<%= config.bin %> sim drift group web-1-abc123-Group --desired 2']
  static override args = {group: Args.string({description: 'Group name (see release sim show).', required: true})}
  static override flags = {desired: Flags.integer({summary: 'The desired capacity from now on.', required: true, min: 0})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(SimDriftGroup)
    const ws = await this.openWorkspace(flags)
    const {simCauseDrift} = await import('../../../app/sim.js')
    this.log(await simCauseDrift(ws, {kind: 'group', group: args.group, desired: flags.desired}))
  }
}
