import {Flags} from '@oclif/core'
import {ReleaseCommand} from '../_base.js'
import {cli} from '../../util/cli-context.js'

export default class EnvReap extends ReleaseCommand {
  static override summary = 'Destroy every on-demand environment whose time is up (for a scheduled CI job).'
  static override description = `Environments of release.yml never expire, so a protected one is never reaped. One that cannot be destroyed now (a release running there) is reported and the others go on. Exit 0 when every expired environment is gone (or none was), 1 when one could not be destroyed, 4 when one was busy.`
  static override examples = ['<%= config.bin %> env reap --dry-run', '<%= config.bin %> env reap --json']
  static override flags = {
    'dry-run': Flags.boolean({summary: 'Only list the expired environments; destroy nothing.'}),
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(EnvReap)
    const ws = await this.openWorkspace({config: flags.config}, {anyEnvironment: true})
    const {reapEnvironments} = await import('../../app/environments/reap.js')
    const result = await reapEnvironments(ws, {dryRun: flags['dry-run']})
    if (flags.json) this.printJson(result)
    else {
      if (result.expired.length === 0) this.log('no environment has expired')
      for (const e of result.expired) if (result.dryRun) this.log(`would destroy ${e.name} (owner ${e.owner}, expired ${e.expiresAt})`)
      for (const d of result.destroyed) this.log(d.message)
      for (const r of result.refused) this.log(`${r.name}: not destroyed: ${r.code}: ${r.message}`)
    }
    cli().setExitCode(result.exitCode)
  }
}
