import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {runWithProgress} from './_render/run.js'

export default class Resume extends ReleaseCommand {
  static override summary = 'Continue a release whose process died.'
  static override description = `A release is persisted after every step. When its process is killed (a crash, a cancelled CI job, a closed laptop), the release stays in progress and its lease expires. resume continues it from the last persisted step: the step that was in flight runs again and re-attaches to what it had started (a stack being created is found by its ClientRequestToken) instead of starting it twice.

Exit codes as for rollout; 2 when there is nothing to resume; 4 while the original process still holds the lease.`
  static override examples = ['<%= config.bin %> resume web']
  static override args = {
    target: Args.string({description: 'Target whose interrupted release to continue.', required: true}),
  }
  static override flags = {
    json: Flags.boolean({summary: 'Print the final status as JSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Resume)
    const ws = await this.openWorkspace(flags)
    const {resume} = await import('../app/release.js')
    await runWithProgress(ws, flags.json, (hooks) => resume(ws, {target: args.target}, hooks))
  }
}
