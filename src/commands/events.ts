import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {cli} from '../util/cli-context.js'

export default class Events extends ReleaseCommand {
  static override summary = "Show a release's journal: its transitions, progress and notes."
  static override description = `Reads the release's journal in the state directory (no AWS API): one line per entry, <at> <type> <state> <message>; per-instance records are counted by phase rather than listed. By default the target's newest release; --release names another.

--follow prints what is appended as the release runs, until it ends or pauses at a gate, and exits as release wait does: 0 succeeded, 3 rolled back or aborted, 1 failed or interrupted, 10 paused. Without --follow it exits 0.

--json prints every entry, instance records included, as one JSON object per line (NDJSON) and nothing else; an error is one line {"error": {...}}.`
  static override examples = [
    '<%= config.bin %> events web',
    '<%= config.bin %> events web --follow',
    '<%= config.bin %> events web --release web-3 --json | jq -c "select(.type == \\"transition\\")"',
  ]
  static override args = {
    target: Args.string({description: 'Target whose release to show.', required: true}),
  }
  static override flags = {
    release: Flags.string({summary: 'Release id (default: the newest release of the target).', helpValue: 'ID'}),
    follow: Flags.boolean({char: 'f', summary: 'Keep printing new entries until the release ends or pauses.'}),
    json: Flags.boolean({summary: 'Print entries as NDJSON, one object per line, on stdout.'}),
  }

  /** NDJSON: even an error is one line. */
  protected override printJson(value: unknown): void {
    cli().stdout.write(JSON.stringify(value) + '\n')
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Events)
    const ws = await this.openWorkspace(flags)
    const {EventText, followEvents, readEvents} = await import('../app/events.js')
    const out = (line: string) => cli().stdout.write(line + '\n')
    const text = new EventText(out)
    const onEntry = flags.json ? (entry: unknown) => out(JSON.stringify(entry)) : (entry: Parameters<typeof text.entry>[0]) => text.entry(entry)
    const request = {target: args.target, release: flags.release}

    if (!flags.follow) {
      const {record, entries} = await readEvents(ws, request)
      for (const entry of entries) onEntry(entry)
      text.end()
      if (!flags.json && entries.length === 0) out(`${record.id}: no journal entries yet`)
      return
    }

    try {
      const {record, exitCode} = await followEvents(ws, request, {
        onEntry,
        onStart: (record) => cli().stderr.write(`following ${record.id} (${record.kind} of ${record.version}) until it ends or pauses\n`),
      })
      text.end()
      const where = record.state === record.outcome ? '' : ` at ${record.state}`
      if (!flags.json) out(`${record.id} ${record.outcome}${where}${record.message ? `: ${record.message}` : ''}`)
      cli().setExitCode(exitCode)
    } finally {
      text.end()
    }
  }
}
