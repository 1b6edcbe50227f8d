import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'

export default class Plan extends ReleaseCommand {
  static override summary = 'Show what a rollout would do, changing nothing.'
  static override description = `Prints the strategy and why (for strategy auto: the durable resources found in the template), the steps, and for an immutable target the stacks to create, keep and delete, or for an incremental one the fleet, the window, the canary and the order of instances; and a rough duration. It reads the ledger and the account and changes neither. Bad input exits 2, as rollout would.`
  static override examples = ['<%= config.bin %> plan db --version 2.0.0', '<%= config.bin %> plan web --version 2.0.0 --json']
  static override args = {
    target: Args.string({description: 'Target to plan for.', required: true}),
  }
  static override flags = {
    version: Flags.string({char: 'v', summary: 'Version the rollout would release.', required: true}),
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
    adopt: Flags.string({summary: 'Plan as rollout --adopt GROUP would: take over a group that serves but the ledger does not know.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Plan)
    const ws = await this.openWorkspace(flags)
    const {planRelease} = await import('../app/plan.js')
    const plan = await planRelease(ws, {target: args.target, version: flags.version, adopt: flags.adopt})
    if (flags.json) return this.printJson(plan)
    const lines = [
      `${plan.target}: ${plan.liveVersion ?? '(nothing live)'} -> ${plan.version}, ${plan.strategy} (${plan.reason})`,
      ...plan.durable.map((d) => `  durable: ${d.logicalId} (${d.type}): ${d.why}`),
      'steps:',
      ...plan.steps.map((s, i) => `  ${i + 1}. ${s.state.padEnd(17)} ${s.does}`),
    ]
    if (plan.incremental) {
      const inc = plan.incremental
      lines.push(`fleet: ${inc.fleet}, ${inc.instances} instances; window ${inc.window}, canary ${inc.canary}, maxErrors ${inc.maxErrors}`)
      lines.push(`order: ${inc.order.slice(0, 12).join(' ')}${inc.order.length > 12 ? ` ... (+${inc.order.length - 12})` : ''}`)
    }
    if (plan.immutable) {
      const imm = plan.immutable
      lines.push(`stacks: ${imm.createStack ? `create ${imm.createStack}` : `re-use ${imm.reuseStack}`}; keep ${imm.keep.join(', ') || 'none'}; delete ${imm.delete.join(', ') || 'none'}`)
      const roles = {live: 'the live group', inFlight: 'a release that is not live yet', untracked: 'a stack of this target the ledger does not know', foreign: 'not made by release; the ledger does not know it'}
      lines.push(`serving now: ${imm.serving.map((g) => `${g.group} (version ${g.version}, ${roles[g.role]})`).join('; ') || 'no group'}`)
      if (imm.untrackedStacks.length > 0) lines.push(`not in the ledger: ${imm.untrackedStacks.map((s) => `${s.name} (${s.version})`).join(', ')}`)
      if (imm.refusal) lines.push(`a rollout would be refused: ${imm.refusal}`)
    }
    if (plan.health) {
      lines.push('what would catch a bad version:', ...plan.health.signals.map((s) => `  ${s}`))
      if (plan.health.warning) this.warn(plan.health.warning)
    }
    if (plan.drift) {
      lines.push(...plan.drift.lines)
      if (plan.drift.inSync === false) lines.push(plan.drift.policy === 'refuse' ? `a rollout would be refused (drift: refuse): release converge ${plan.target} first` : `a rollout would go on (drift: warn)`)
    }
    lines.push(`estimate: about ${Math.max(1, Math.round(plan.estimateSeconds / 60))} min (typical AWS timings; not a promise)`)
    this.log(lines.join('\n'))
  }
}
