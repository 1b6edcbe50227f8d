import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from '../_base.js'
import {environmentProgress} from '../_render/environments.js'
import {cli} from '../../util/cli-context.js'

export default class EnvCreate extends ReleaseCommand {
  static override summary = 'Make an on-demand copy of an environment that expires.'
  static override description = `Provisions every target of the source that can be provisioned (immutable targets, and incremental targets with a template) at the version live in the source, with the parameters of the ephemeral: section of release.yml, and records it in the ledgers of the new environment with an owner, a creation time and an expiry. The record is written before anything is made, and every stack carries the environment's name: a crash never leaves a stack no environment owns; continue it with release env resume NAME. Exit 0 ready, 1 not made (release env destroy NAME removes what was), 2 refused with nothing changed, 4 another command holds the environment.`
  static override examples = [
    '<%= config.bin %> env create demo --from staging --ttl 4h',
    '<%= config.bin %> env create dr --from prod --region us-west-2 --ttl 7d',
    '<%= config.bin %> env create try-web --from staging --targets web',
  ]
  static override args = {name: Args.string({description: 'The new environment: a lowercase letter, then up to 15 lowercase letters, digits or -.', required: true})}
  static override flags = {
    from: Flags.string({summary: 'The environment to copy (one of environments: in release.yml).', required: true}),
    ttl: Flags.string({summary: 'How long it lives, 1m to 90d (e.g. 4h, 2d); default ephemeral.ttl, else 8h.'}),
    targets: Flags.string({summary: 'Only these targets (comma-separated); default every target that can be provisioned.', multiple: true, delimiter: ','}),
    region: Flags.string({summary: "Where to make it (e.g. us-west-2 for a recovery copy); default the source's region."}),
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(EnvCreate)
    const ws = await this.openWorkspace({config: flags.config}, {anyEnvironment: true})
    const {createEnvironment} = await import('../../app/environments/create.js')
    const result = await createEnvironment(ws, {name: args.name, from: flags.from, ...(flags.ttl !== undefined ? {ttl: flags.ttl} : {}), ...(flags.targets ? {targets: flags.targets} : {}), ...(flags.region ? {region: flags.region} : {})}, environmentProgress(flags.json))
    for (const s of result.skipped) cli().stderr.write(`left out ${s.target}: ${s.why}\n`)
    if (flags.json) this.printJson(result)
    else this.log(result.message)
    cli().setExitCode(result.exitCode)
  }
}
