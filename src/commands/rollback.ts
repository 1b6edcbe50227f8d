import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {runDetached, runWithProgress} from './_render/run.js'

export default class Rollback extends ReleaseCommand {
  static override summary = 'Return a target to its last known good version (the newest other version that succeeded).'
  static override description = `Releases an earlier version again, as a new release in the ledger. By default it returns to the last known good version before the live one; --to names another version that once succeeded. An immutable target re-uses the stack kept for that version when there is one (no new stack): kept warm (keepWarm) it is one traffic switch, no boot; kept scaled to zero its instances boot first. It is smoke-checked, baked and stops at gates like a rollout, unless --emergency.

Exit codes as for rollout: 0 live, 3 rolled back, 1 needs a human, 2 nothing to roll back to or bad input, 4 locked.`
  static override examples = [
    '<%= config.bin %> rollback web',
    '<%= config.bin %> rollback web --to 1.4.2',
  ]
  static override args = {
    target: Args.string({description: 'Target to roll back.', required: true}),
  }
  static override flags = {
    to: Flags.string({summary: 'Version to return to (default: the last known good before the live one).'}),
    json: Flags.boolean({summary: 'Print the final status as JSON on stdout.'}),
    detach: Flags.boolean({
      summary: 'Run the rollback in the background and return its id at once (as rollout --detach).',
    }),
    emergency: Flags.boolean({
      summary: 'Skip the bake and the gates (immutable targets); the ledger records that they were skipped.',
    }),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Rollback)
    const ws = await this.openWorkspace(flags)
    if (flags.detach) {
      await runDetached(ws, flags.json, {
        target: args.target,
        kind: 'rollback',
        version: flags.to,
        args: ['rollback', args.target, ...(flags.to === undefined ? [] : ['--to', flags.to]), ...(flags.emergency ? ['--emergency'] : [])],
        config: flags.config,
      })
      return
    }
    const {rollback} = await import('../app/release.js')
    await runWithProgress(ws, flags.json, (hooks) => rollback(ws, {target: args.target, to: flags.to, emergency: flags.emergency}, hooks))
  }
}
