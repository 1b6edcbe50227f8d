import {Args, Flags} from '@oclif/core'
import {ReleaseCommand} from './_base.js'

export default class Unlock extends ReleaseCommand {
  static override summary = "Break a target's lease lock."
  static override description =
    'For a lock whose holder is gone (a cancelled CI job on another machine, say) and that you do not want to wait out. It changes nothing in the account or the ledger: an interrupted release stays in progress until `release resume` continues it. A lock whose holder still runs on this machine is never broken (exit 4): stop that process first. A damaged lock file is removed too. Without --force it only shows who holds the lock and exits 2: --force confirms that you checked that holder is gone.'
  static override examples = ['<%= config.bin %> unlock web          # who holds it; changes nothing', '<%= config.bin %> unlock web --force']
  static override args = {
    target: Args.string({description: 'Target whose lock to break.', required: true}),
  }
  static override flags = {
    force: Flags.boolean({summary: 'Confirms that the holder is gone, and breaks the lock. Without it, nothing changes.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Unlock)
    const ws = await this.openWorkspace(flags)
    const {unlock, refuseUnforced} = await import('../app/locks.js')
    if (!flags.force) await refuseUnforced(ws, args.target)
    const {target, removed, damaged, interrupted} = await unlock(ws, args.target)
    if (removed) {
      this.log(`broke the lock of ${target}: held by ${removed.holder} for ${removed.releaseId} since ${removed.since} (expires ${removed.expires})`)
    } else {
      this.log(`removed the damaged lock of ${target}: ${damaged}`)
    }
    if (interrupted) this.log(`release ${interrupted} is still in progress in the ledger; continue it with: release resume ${target}`)
  }
}
