import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from '../../_base.js'

export default class SimDriftStack extends ReleaseCommand {
  static override summary = 'Edit a stack resource property of the simulated account outside CloudFormation.'
  static override description =
    'CloudFormation drift detection (release drift) then reports the property as MODIFIED, with the value the template expects and the actual one. Setting it back to the template value removes the drift. Only for account: simulated.'
  static override examples = ['<%= config.bin %> sim drift stack web-1-0-0-abc --resource Group --property MaxSize --value 9']
  static override args = {stack: Args.string({description: 'Stack name (see release sim show).', required: true})}
  static override flags = {
    resource: Flags.string({summary: 'Logical id of the resource.', required: true}),
    property: Flags.string({summary: 'Property name (MaxSize) or path (/Properties/MaxSize).', required: true}),
    value: Flags.string({summary: 'Its value from now on.', required: true}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(SimDriftStack)
    const ws = await this.openWorkspace(flags)
    const {simCauseDrift} = await import('../../../app/sim.js')
    this.log(await simCauseDrift(ws, {kind: 'stack', stackName: args.stack, logicalId: flags.resource, property: flags.property, value: flags.value}))
  }
}
