import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {cli} from '../util/cli-context.js'

export default class Converge extends ReleaseCommand {
  static override summary = 'Bring a drifted target back to its live version.'
  static override description = `Runs release drift on the target, then removes what it found.

Incremental targets: the live version is re-applied to the drifted instances alone, through the same window, verify and rollback as a rollout, as a release of kind converge in the ledger (release resume continues one that was interrupted).
Immutable targets: retained groups scaled back to zero; instances of the live group on another version replaced (the group relaunches them from its launch template); a stack changed outside CloudFormation, or a live group that does not serve, replaced by rolling the live version out anew (a release of kind converge). Drift that cannot be converged safely (a drifted resource that holds data, a group serving that release does not own) is reported with the remedy.

Exit codes: 0 converged (or already in sync), 1 drift left that cannot be converged safely (the remedy is printed) or the release failed, 2 unknown target or nothing live, 3 the converge was rolled back, 4 locked by a release, 6 drift left that release cannot remove (said why).`
  static override examples = ['<%= config.bin %> converge api', '<%= config.bin %> converge web --json']
  static override args = {
    target: Args.string({description: 'Target to converge.', required: true}),
  }
  static override flags = {
    json: Flags.boolean({summary: 'Print the result as JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Converge)
    const ws = await this.openWorkspace(flags)
    const {converge} = await import('../app/converge.js')
    const {findingText} = await import('../app/drift.js')
    const result = await converge(ws, {target: args.target}, {
      onStart: (record, how) => cli().stderr.write(`${how.resumed ? 'resumed' : 'started'} ${record.id} (${record.kind} of ${record.target} to ${record.version})\n`),
      onTransition: (state, record) => cli().stderr.write(`${record.id}: ${state}\n`),
      onProgress: (event) => cli().stderr.write(`${event.state}: ${event.message}\n`),
    })
    if (flags.json) this.printJson(result)
    else {
      for (const f of result.before.findings) this.log(`drift: ${findingText(f)}`)
      for (const line of result.actions) this.log(`done: ${line}`)
      for (const u of result.unsafe) this.log(`not converged: ${u.finding}\n  remedy: ${u.remedy}`)
      this.log(result.message)
    }
    cli().setExitCode(result.exitCode)
  }
}
