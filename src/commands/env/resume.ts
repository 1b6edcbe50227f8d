import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from '../_base.js'
import {environmentProgress} from '../_render/environments.js'
import {cli} from '../../util/cli-context.js'

export default class EnvResume extends ReleaseCommand {
  static override summary = 'Continue an env create or env destroy that was cut short (a crash, a cancelled job).'
  static override examples = ['<%= config.bin %> env resume demo']
  static override args = {name: Args.string({description: 'The environment.', required: true})}
  static override flags = {json: Flags.boolean({summary: 'Print JSON only, on stdout.'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(EnvResume)
    const ws = await this.openWorkspace({config: flags.config}, {anyEnvironment: true})
    const {resumeEnvironment} = await import('../../app/environments/resume.js')
    const result = await resumeEnvironment(ws, args.name, environmentProgress(flags.json))
    const done = 'created' in result ? result.created : result.destroyed
    if (flags.json) this.printJson(done)
    else this.log(done.message)
    cli().setExitCode(done.exitCode)
  }
}
