import {Flags} from '@oclif/core'
import {ReleaseCommand} from '../_base.js'

export default class StateInit extends ReleaseCommand {
  static override summary = 'Create the DynamoDB state table, or check the existing one.'
  static override description =
    'For `state: {backend: dynamodb, table: NAME}` in release.yml. Creates the table (on-demand billing, point-in-time recovery on) when it does not exist; otherwise checks that its key schema is the one the backend writes (partition key pk and sort key sk, strings) and turns point-in-time recovery on. A table with another key schema is refused (exit 2) with the difference named. Safe to run again.'
  static override examples = ['<%= config.bin %> state init', '<%= config.bin %> state init --json']
  static override flags = {
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(StateInit)
    const ws = await this.openWorkspace(flags)
    const {initState} = await import('../../app/state.js')
    const result = await initState(ws)
    if (flags.json) return this.printJson(result)
    this.log(result.created ? `created the state table ${result.table} (on-demand billing)` : `the state table ${result.table} exists with the expected key schema`)
    if (result.pointInTimeRecovery === 'on') this.log('point-in-time recovery: on')
    else this.warn(`point-in-time recovery is not on: ${result.pointInTimeRecovery.unavailable}`)
  }
}
