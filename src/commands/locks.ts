import {Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'
import {table} from './_render/release.js'

export default class Locks extends ReleaseCommand {
  static override summary = 'List the lease locks held on targets.'
  static override description =
    'A release holds its target\'s lease while it runs and renews it; a second release of the same target exits 4. A lease whose holder died expires on its own (and one left by a dead process on this host is taken over at once); `release unlock <target> --force` breaks one by hand.'
  static override examples = ['<%= config.bin %> locks', '<%= config.bin %> locks --json']
  static override flags = {
    json: Flags.boolean({summary: 'Print JSON only, on stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Locks)
    const ws = await this.openWorkspace(flags, {readOnly: true})
    const {locksOf} = await import('../app/locks.js')
    const locks = await locksOf(ws)
    if (flags.json) return this.printJson(locks)
    if (locks.length === 0) return this.log('no target is locked')
    this.log(
      table(
        ['TARGET', 'RELEASE', 'HOLDER', 'SINCE', 'EXPIRES', 'STALE'],
        locks.map((l) => [l.target, l.releaseId, l.holder, l.since, l.expires, l.stale ? 'yes' : 'no']),
      ),
    )
  }
}
