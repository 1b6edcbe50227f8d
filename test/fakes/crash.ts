/**
 * A process that dies in the middle of a release, in-process: from one call of the account on it
 * never hears an answer again (a killed runner), and the lease it held is left stale, so that the
 * next run (a resume) takes it over.
 */
import {keys} from '../../src/engine/keys.js'
import type {StateStore} from '../../src/ports/store.js'
import type {SimAccount} from '../../src/sim/index.js'

/** No process has this pid: a lease it holds is stale, as after a crash. */
const DEAD_PID = 4_194_000

type Call = (service: string, command: string, input: unknown) => boolean

/**
 * From the first call `dies` picks, the account answers nothing more: that call is carried out first
 * (`after`: the process died while its answer was on the way) or not (`before`). `dead` resolves then;
 * `revive` gives the account its answers back, for the next process.
 */
export function dieAt(sim: SimAccount, when: 'before' | 'after', dies: Call): {dead: Promise<void>; revive: () => void} {
  const handle = sim.handle.bind(sim)
  let died = () => undefined as void
  const dead = new Promise<void>((resolve) => (died = resolve))
  let gone = false
  const never = () => new Promise<never>(() => undefined)
  sim.handle = async (service, command, input) => {
    if (gone) return never()
    if (!dies(service, command, input)) return handle(service, command, input)
    if (when === 'after') await handle(service, command, input)
    gone = true
    died()
    return never()
  }
  return {dead, revive: () => (sim.handle = handle)}
}

/** A SendCommand whose comment says it changes to `version`. */
export function sendTo(version: string, service: string, command: string, input: unknown): boolean {
  return service === 'ssm' && command === 'SendCommand' && String((input as {Comment?: string}).Comment).endsWith(`to ${version}`)
}

/** The lease of `target`, as its dead holder left it (the pid gone). */
export async function leaveLeaseStale(store: StateStore, target: string): Promise<{releaseId: string}> {
  const lease = JSON.parse((await store.read(keys.lease(target)))!) as {releaseId: string}
  await store.writeAtomic(keys.lease(target), JSON.stringify({...lease, pid: DEAD_PID}))
  return lease
}
