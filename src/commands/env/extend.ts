import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from '../_base.js'

export default class EnvExtend extends ReleaseCommand {
  static override summary = 'Give an on-demand environment more time: it now expires TTL from now.'
  static override examples = ['<%= config.bin %> env extend demo --ttl 1d']
  static override args = {name: Args.string({description: 'The on-demand environment.', required: true})}
  static override flags = {
    ttl: Flags.string({summary: 'How long from now, 1m to 90d (e.g. 4h, 2d).', required: true}),
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(EnvExtend)
    const ws = await this.openWorkspace({config: flags.config}, {anyEnvironment: true})
    const {extendEnvironment} = await import('../../app/environments/extend.js')
    const result = await extendEnvironment(ws, args.name, flags.ttl)
    if (flags.json) this.printJson(result.record)
    else this.log(result.message)
  }
}
