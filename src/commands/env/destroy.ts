import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from '../_base.js'
import {cli} from '../../util/cli-context.js'

export default class EnvDestroy extends ReleaseCommand {
  static override summary = 'Delete every stack an environment made, then forget it.'
  static override description = `Finds the stacks of the environment in the account (their names and release:target tags carry it), deletes them, then removes its ledgers and its record. Resources a DeletionPolicy keeps (Retain, Snapshot) are reported by id as left behind. A protected environment is refused (exit 2); one with a release running is refused (exit 4). A destroy cut short is continued by release env resume NAME or by running it again.`
  static override examples = ['<%= config.bin %> env destroy demo']
  static override args = {name: Args.string({description: 'The environment to destroy.', required: true})}
  static override flags = {json: Flags.boolean({summary: 'Print JSON only, on stdout.'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(EnvDestroy)
    const ws = await this.openWorkspace({config: flags.config}, {anyEnvironment: true})
    const {destroyEnvironment} = await import('../../app/environments/destroy.js')
    const result = await destroyEnvironment(ws, args.name)
    if (flags.json) this.printJson(result)
    else this.log(result.message)
    cli().setExitCode(result.exitCode)
  }
}
