import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {runWithProgress} from './_render/run.js'

export default class Rollout extends ReleaseCommand {
  static override summary = 'Release a version of a target.'
  static override description = `Runs the target's strategy as a persisted state machine. Immutable (red/black): a new CloudFormation stack per release, capacity and health checks, traffic moved from the old Auto Scaling group to the new one, a bake while the old group stays warm, then the old group is retired (kept scaled to zero for an instant rollback). A failure rolls back on its own.

Exit codes: 0 the version is live; 3 it was rolled back and the previous version is live; 1 a human is needed (the message says what is left where); 2 bad input, nothing changed; 4 another release holds the target's lock.`
  static override examples = [
    '<%= config.bin %> rollout web --version 2.0.0',
    '<%= config.bin %> rollout web --version 2.0.0 --config examples/quickstart/release.yml',
    '<%= config.bin %> rollout web --version 2.0.1 --json > release.json',
  ]
  static override args = {
    target: Args.string({description: 'Target to release, as named under targets: in release.yml.', required: true}),
  }
  static override flags = {
    version: Flags.string({
      char: 'v',
      summary: 'Version to release (letters, digits and ._+- up to 128 characters).',
      required: true,
    }),
    json: Flags.boolean({summary: 'Print the final status as JSON on stdout (progress still goes to stderr).'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Rollout)
    const ws = await this.openWorkspace(flags.config)
    const {rollout} = await import('../app/release.js')
    await runWithProgress(ws, flags.json, (hooks) => rollout(ws, {target: args.target, version: flags.version}, hooks))
  }
}
