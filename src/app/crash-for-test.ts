import {cli} from '../util/cli-context.js'

/**
 * Fault injection for the crash tests: RELEASE_TEST_CRASH_AT=<state> kills this process with SIGKILL
 * right after that state is persisted, as a crash or a cancelled CI job would. Releases name their
 * machine states; environment runs name theirs `env:<state>`.
 */
export function crashForTest(state: string): void {
  const context = cli()
  if (context.env.RELEASE_TEST_CRASH_AT !== state) return
  // An in-process run (tests) shares its process with others: only a process of its own is killed.
  if (!context.ownsProcess) throw new Error(`RELEASE_TEST_CRASH_AT=${state} needs a process of its own`)
  process.kill(process.pid, 'SIGKILL')
}
