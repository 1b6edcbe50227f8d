/**
 * An environment's create or destroy runs under the environment's lease, fenced like a release: once
 * another process has taken the environment over (here: the lease broken and taken by another host
 * while a step ran), the first one writes nothing more and stops with E_LEASE_LOST.
 */
import {join} from 'node:path'
import {setImmediate as yieldToLoop} from 'node:timers/promises'
import {describe, expect, it} from 'vitest'
import {assign, fromPromise, setup} from 'xstate'
import {environmentLease, runEnvironmentMachine} from '../../src/app/environments/run.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {acquireLease, forceUnlock, readLease} from '../../src/engine/lease.js'
import {openStateStore} from '../../src/store/open.js'
import {environmentStore} from '../../src/store/prefixed.js'
import {makeProject} from '../fakes/workspace.js'

/** first -> (a step during which `meanwhile` runs) -> second -> done. */
function machineWith(meanwhile: () => Promise<void>) {
  return setup({actors: {step: fromPromise(meanwhile)}}).createMachine({
    id: 'env-test',
    initial: 'first',
    context: {steps: 0},
    states: {
      first: {invoke: {src: 'step', onDone: {target: 'second', actions: assign({steps: ({context}) => context.steps + 1})}}},
      second: {always: 'done'},
      done: {type: 'final'},
    },
  })
}

describe('the lease of an environment run', () => {
  it('taken over while a step runs: the run writes nothing more and stops with E_LEASE_LOST', async () => {
    const dir = makeProject()
    const {config} = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
    const shared = await openStateStore(config)
    const lease = environmentLease('pr-7')
    const envStore = environmentStore(shared, 'pr-7')
    const snapshotKey = 'releases/env-create/snapshot.json'
    const machine = machineWith(async () => {
      // The step starts as the machine does: the takeover comes once the first state is on disk.
      for (let look = 0; (await envStore.read(snapshotKey)) === undefined; look++) {
        if (look > 10_000) throw new Error('the first snapshot was never written')
        await yieldToLoop()
      }
      await forceUnlock(shared, lease, {isAlive: () => false})
      await acquireLease(shared, lease, {releaseId: 'pr-7-env-destroy', ttlMs: 60_000, now: () => Date.now(), identity: {host: 'elsewhere', pid: 4242}})
    })

    const error = await runEnvironmentMachine(config, 'pr-7', {machine, runId: 'env-create', input: {}}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_LEASE_LOST', exitCode: 4})
    // The snapshot stays where it was before the takeover: the step's end was never written.
    const snapshot = await envStore.read(snapshotKey)
    expect(JSON.parse(snapshot ?? '{}')).toMatchObject({machineId: 'env-test', snapshot: {value: 'first'}})
    // And the new holder's lease is left as it took it.
    expect(await readLease(shared, lease)).toMatchObject({host: 'elsewhere', pid: 4242, releaseId: 'pr-7-env-destroy'})
  })
})
