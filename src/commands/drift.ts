import {Args, Flags} from '@oclif/core'
import {EXIT} from '../ports/release.js'
import {ReleaseCommand} from './_base.js'
import {cli} from '../util/cli-context.js'

export default class Drift extends ReleaseCommand {
  static override summary = 'Compare the account with the ledger and the desired version; change nothing.'
  static override description = `Read-only: takes no lease and changes nothing, so it can run from a scheduled CI job at any time.

Immutable targets: CloudFormation drift detection on the live stack (which resource, which property, expected and actual), the live group being the only one serving the traffic sources, retained groups at zero (or warm within keepWarm), every instance of the live group on the live version.
Incremental targets: each instance's version read with the target's current command against the live version, instances that joined the fleet since the release, and instances of the release no longer in the fleet. With enforce: the State Manager association applying the live version, and per instance whether its latest run succeeded (compliant).

Exit code 0 in sync, 6 drifted, 1 when detection itself failed, 2 for an unknown target. With --json it prints an array of {target, strategy, desiredVersion, inSync, findings, checked} (docs/schemas/drift.schema.json).`
  static override examples = ['<%= config.bin %> drift', '<%= config.bin %> drift web --json']
  static override args = {
    target: Args.string({description: 'Target to check (default: every target).'}),
  }
  static override flags = {
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Drift)
    const ws = await this.openWorkspace(flags, {readOnly: true})
    const {drift, findingText} = await import('../app/drift.js')
    const reports = await drift(ws, {target: args.target})
    if (flags.json) this.printJson(reports)
    else {
      for (const r of reports) {
        this.log(`${r.target}: ${r.inSync ? 'in sync' : `drifted (${r.findings.length} finding${r.findings.length === 1 ? '' : 's'})`}${r.desiredVersion ? ` with ${r.desiredVersion}` : ''}`)
        for (const line of r.checked) this.log(`  checked: ${line}`)
        for (const f of r.findings) this.log(`  drift: ${findingText(f)}`)
        for (const i of r.enforcement?.instances ?? []) this.log(`  association ${r.enforcement?.association ?? '?'}: ${i.instance} ${i.compliant === null ? 'running' : i.compliant ? 'compliant' : 'non-compliant'} (${i.status}${i.at ? ` at ${i.at}` : ''})`)
      }
    }
    if (reports.some((r) => !r.inSync)) cli().setExitCode(EXIT.drifted)
  }
}
