import {Flags} from '@oclif/core'
import path from 'node:path'
import {ReleaseCommand} from './_base.js'
import {cli} from '../util/cli-context.js'

const STRATEGIES = ['immutable', 'incremental', 'auto'] as const

export default class Init extends ReleaseCommand {
  static override summary = 'Write a starting release.yml from the Auto Scaling groups the account runs.'
  static override description = `Lists the account's Auto Scaling groups and CloudFormation stacks, and writes release.yml with one target per group picked: asked for on a terminal, or given with --target, --group and --strategy (one target) for scripts. The file starts with the line that gives editors its JSON Schema, and lists the defaults of the other keys as comments. An existing file is never overwritten (exit 2).`
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --target api --group api-fleet --strategy incremental',
    '<%= config.bin %> init --account aws --region eu-west-3 --target web --group web-asg --strategy immutable --template web.yml',
  ]
  static override flags = {
    target: Flags.string({summary: 'Name of the target to write (with --group and --strategy: no questions asked).'}),
    group: Flags.string({summary: 'Auto Scaling group the target releases.'}),
    strategy: Flags.string({summary: 'Strategy of the target.', options: [...STRATEGIES]}),
    template: Flags.string({summary: 'CloudFormation template, relative to release.yml (immutable and auto need one).'}),
    'traffic-source': Flags.string({summary: 'ELB target group ARN (immutable; defaults to those the group is attached to).', multiple: true}),
    account: Flags.string({summary: 'Account to read and to write in release.yml.', options: ['simulated', 'aws'], default: 'simulated'}),
    region: Flags.string({summary: 'AWS region.', default: 'us-east-1'}),
    'state-dir': Flags.string({summary: 'State directory, relative to release.yml (the simulated account lives there).', default: '.release'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Init)
    const {UserError} = await import('../errors.js')
    const file = path.resolve(cli().cwd, flags.config ?? 'release.yml')
    const {existsSync} = await import('node:fs')
    if (existsSync(file)) {
      throw new UserError('E_CONFIG_EXISTS', `${file} already exists; release init never overwrites it`, 'Edit it, or move it away and run release init again.', 2)
    }
    const init = await import('../app/init.js')
    const place = {file, account: flags.account as 'simulated' | 'aws', region: flags.region, stateDir: flags['state-dir']}
    const found = await init.discover(place)
    cli().stderr.write(
      [
        `Auto Scaling groups (${found.groups.length}):`,
        ...found.groups.map((g, i) => `  ${i + 1}. ${g.name} (${g.instances} instances${g.trafficSources.length > 0 ? `, ${g.trafficSources.length} traffic sources` : ''})`),
        `CloudFormation stacks (${found.stacks.length}):`,
        ...found.stacks.map((s) => `  ${s.name} (${s.status})`),
        '',
      ].join('\n'),
    )

    let targets
    if (flags.target !== undefined || flags.group !== undefined || flags.strategy !== undefined) {
      if (!flags.target || !flags.group || !flags.strategy) {
        throw new UserError('E_USAGE', '--target, --group and --strategy go together', 'Pass all three, or none to be asked on a terminal.', 2)
      }
      targets = [
        {
          name: flags.target,
          group: flags.group,
          strategy: flags.strategy as (typeof STRATEGIES)[number],
          ...(flags.template ? {template: flags.template} : {}),
          ...(flags['traffic-source'] ? {trafficSources: flags['traffic-source']} : {}),
        },
      ]
    } else if (cli().stdin.isTTY && cli().stderr.isTTY) {
      const {ask} = await import('./_render/init-questions.js')
      targets = await ask(found, init.targetNameFor)
    } else {
      throw new UserError('E_USAGE', 'release init asks questions only on a terminal', 'Pass --target NAME --group NAME --strategy immutable|incremental|auto.', 2)
    }
    const checked = init.checkTargets(targets, found)
    await init.writeNewConfig(file, init.renderReleaseYml(place, checked))
    this.log(`wrote ${path.relative(cli().cwd, file) || file} with ${checked.map((t) => t.name).join(', ')}; check it with: release plan ${checked[0]?.name ?? '<target>'} --version <version>`)
  }
}
