import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {statusText} from './_render/release.js'
import {cli} from '../util/cli-context.js'

export default class Wait extends ReleaseCommand {
  static override summary = "Wait for a target's current release to end, pause or reach a state."
  static override description = `Follows the target's newest release (as it is when the wait starts) by reading the ledger, on the wall clock, and exits by its outcome. It calls no AWS API and has no time limit unless --timeout gives one: a 6-hour release is a 6-hour wait. Each change of state is a line on stderr; the final status (as release status <target> --json) goes to stdout.

--for terminal (default): until the release ends, or pauses at a gate (a paused release does not move by itself).
--for paused: until it pauses at a gate, or ends.
--for succeeded: until it succeeds; it goes on waiting while the release is paused at a gate, and ends at once when the release ends otherwise.
--for STATE: until the release is in, or has passed through, that state of its machine (e.g. baking), or ends.

A release in progress that no process holds (its lease is gone or stale: a crash, a cancelled job) will not move: the wait ends at once with exit 1 and the command that continues it.

Exit codes: 0 succeeded (or STATE reached); 3 rolled back or aborted; 1 failed, or interrupted (release resume <target>); 10 paused at a gate (release promote / release abort); 5 --timeout reached (the release goes on; the status is printed too); 2 no release, unknown target or bad flag.`
  static override examples = [
    '<%= config.bin %> wait web',
    '<%= config.bin %> wait web --timeout 2h --json > release-status.json',
    '<%= config.bin %> wait web --for baking',
    '<%= config.bin %> wait web --for paused && <%= config.bin %> promote web',
  ]
  static override args = {
    target: Args.string({description: 'Target whose current release to wait for.', required: true}),
  }
  static override flags = {
    for: Flags.string({
      summary: 'What to wait for: terminal, paused, succeeded, or a state name.',
      default: 'terminal',
      helpValue: 'terminal|paused|succeeded|STATE',
    }),
    timeout: Flags.string({
      summary: 'Give up after this long (exit 5), e.g. 90s, 30m, 2h. Default: no limit.',
      helpValue: 'DURATION',
    }),
    json: Flags.boolean({summary: 'Print the final status as JSON on stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Wait)
    const ws = await this.openWorkspace(flags)
    const {parseDuration, formatDuration} = await import('../config/index.js')
    const {waitForRelease, describeCondition, isTerminal} = await import('../app/wait.js')
    const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout)
    const stamp = () => new Date(ws.now()).toISOString()
    const result = await waitForRelease(
      ws,
      {target: args.target, for: flags.for, timeoutMs},
      {
        onStart: (record, condition) =>
          cli().stderr.write(
            isTerminal(record.outcome)
              ? `${stamp()} [${record.id}] the ${record.kind} of ${record.version} has ended: ${record.outcome}\n`
              : `${stamp()} [${record.id}] waiting for the ${record.kind} of ${record.version} (${record.outcome} at ${record.state}) to ${describeCondition(condition)}${timeoutMs === undefined ? ', with no time limit' : `, for at most ${formatDuration(timeoutMs)}`}${record.outcome === 'paused' ? `; it waits at a gate for release promote ${record.target} or release abort ${record.target}` : ''}\n`,
          ),
        onChange: (record) =>
          cli().stderr.write(
            `${stamp()} [${record.id}] -> ${record.state}${record.outcome === 'inProgress' || record.outcome === record.state ? '' : ` (${record.outcome})`}${record.outcome === 'paused' ? `: awaiting release promote ${record.target} or release abort ${record.target}` : ''}\n`,
          ),
      },
    )
    if (result.ended === 'timedOut') {
      cli().stderr.write(
        `timed out after ${formatDuration(timeoutMs ?? 0)}: ${result.record.id} is still ${result.record.outcome} at ${result.record.state} and goes on without this wait; wait again with: release wait ${result.record.target}\n`,
      )
    }
    if (flags.json) this.printJson(result.status)
    else this.log(statusText(result.status))
    cli().setExitCode(result.exitCode)
  }
}
