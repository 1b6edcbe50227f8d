import {Args, Command, loadHelpClass} from '@oclif/core'

export default class HelpCommand extends Command {
  static override summary = 'Show help for release or for one of its commands.'
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help rollout', '<%= config.bin %> help ledger rebuild']
  static override strict = false
  static override args = {
    command: Args.string({description: 'Command to show help for (as typed, e.g. "ledger rebuild").', required: false}),
  }

  async run(): Promise<void> {
    const {argv} = await this.parse(HelpCommand)
    const Help = await loadHelpClass(this.config)
    await new Help(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(argv as string[])
  }
}
