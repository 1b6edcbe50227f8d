import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {runDetached, runWithProgress} from './_render/run.js'
import {UserError} from '../errors.js'

export default class Rollout extends ReleaseCommand {
  static override summary = 'Release a version of a target.'
  static override description = `Runs the target's strategy as a persisted state machine (see release graph, release plan):
- immutable (red/black): a new CloudFormation stack per release, capacity and health checks, traffic moved from the old Auto Scaling group to the new one, a bake while the old group stays warm, then the old group is retired (kept warm for keepWarm, or scaled to zero, for a rollback without a new stack);
A group that serves the traffic sources but that the ledger does not know is refused (exit 2) unless adopted with --adopt; the version already live is refused unless --force.
- incremental: the fleet changed in place through Systems Manager, a canary first, then a sliding window of at most maxUnavailable instances out of service, each in Standby while it changes;
- auto: incremental when the template holds durable resources (databases, volumes), immutable otherwise.
A failure rolls back on its own. A target with gates stops there until release promote or release abort.

Exit codes: 0 the version is live; 3 it was rolled back and the previous version is live; 1 a human is needed (the message says what is left where); 2 bad input, nothing changed; 4 another release holds the target's lock; 10 paused at a gate.`
  static override examples = [
    '<%= config.bin %> rollout web --env prod --version-from staging',
    '<%= config.bin %> rollout web --version 2.0.0',
    '<%= config.bin %> rollout web --version 2.0.0 --config examples/quickstart/release.yml',
    '<%= config.bin %> rollout web --version 2.0.1 --json > release.json',
    '<%= config.bin %> rollout web --version 2.0.1 --detach && <%= config.bin %> wait web --json',
  ]
  static override args = {
    target: Args.string({description: 'Target to release, as named under targets: in release.yml.', required: true}),
  }
  static override flags = {
    version: Flags.string({
      char: 'v',
      summary: 'Version to release (letters, digits and ._+- up to 128 characters).',
      exactlyOne: ['version', 'version-from'],
    }),
    'version-from': Flags.string({
      summary: 'Release the version live in environment ENV (promotion), e.g. --env prod --version-from staging.',
      description: 'Refused (exit 2, nothing changed) when ENV has no live version of the target or its latest release of it did not succeed.',
      helpValue: 'ENV',
      exactlyOne: ['version', 'version-from'],
    }),
    json: Flags.boolean({summary: 'Print the final status as JSON on stdout (progress still goes to stderr).'}),
    force: Flags.boolean({summary: 'Release the version already live again, on purpose (refused without it).'}),
    adopt: Flags.string({
      summary: 'Take over GROUP, a group serving the traffic sources that the ledger does not know (immutable).',
      description: 'The group is the old group of this release: it keeps serving until the new group is InService, is then detached, and scaled to zero after the bake. Without it, such a group makes the rollout exit 2 with nothing changed. See release plan.',
      helpValue: 'GROUP',
    }),
    'ignore-alarms': Flags.boolean({
      summary: "Roll out although one of the target's alarms is already in ALARM (recorded in the journal).",
      description: 'Without it, an alarm of the target (alarms: in release.yml) in ALARM refuses the rollout with exit 2 and nothing changed. With it, the alarms in ALARM at the start are recorded and not counted while they stay in that state; any other alarm still rolls the release back.',
    }),
    detach: Flags.boolean({
      summary: 'Run the release in the background and return its id at once.',
      description:
        'The release runs in a background process that outlives this one, its output in <stateDir>/releases/detached-<time>.log. Prints the new release id (with --json: {"id", "target", "log"}) and exits 0 once the ledger shows it; exits 2 or 4 when the release is refused before it begins. Follow it with release events <target> --follow, or gate on it with release wait <target>.',
    }),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Rollout)
    const ws = await this.openWorkspace(flags)
    // oclif's exactlyOne gives one of the two flags; the check says so to the type checker too.
    const version = flags['version-from'] === undefined ? flags.version : await (await import('../app/promotion.js')).versionFrom(ws, flags['version-from'], args.target)
    if (version === undefined) throw new UserError('E_USAGE', 'rollout needs --version or --version-from', `release rollout ${args.target} --version <version>`, 2)
    if (flags.detach) {
      await runDetached(ws, flags.json, {
        target: args.target,
        kind: 'rollout',
        version,
        args: ['rollout', args.target, '--version', version, ...(flags.force ? ['--force'] : []), ...(flags.adopt === undefined ? [] : ['--adopt', flags.adopt]), ...(flags['ignore-alarms'] ? ['--ignore-alarms'] : [])],
        config: flags.config,
      })
      return
    }
    const {rollout} = await import('../app/release.js')
    await runWithProgress(ws, flags.json, (hooks) => rollout(ws, {target: args.target, version, force: flags.force, adopt: flags.adopt, ignoreAlarms: flags['ignore-alarms']}, hooks))
  }
}
