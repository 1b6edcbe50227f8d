/**
 * Runs an environment's create or destroy machine as releases run theirs: persisted after every
 * transition under `envs/<name>/releases/<runId>/`, resumed from its snapshot when one is there, and
 * under the environment's lease (`locks/env.<name>.json`), so that two commands never make or destroy
 * one environment at once (exit 4 for the second).
 */
import type {AnyStateMachine} from 'xstate'
import {ENVIRONMENT_MACHINE_VERSION} from '../../../machines/environment.js'
import type {ReleaseConfig} from '../../config/types.js'
import {fencedStore, leaseLost} from '../../engine/fenced.js'
import {acquireLease} from '../../engine/lease.js'
import {loadSnapshot, runPersisted} from '../../engine/runner.js'
import {openStateStore} from '../../store/open.js'
import {environmentStore} from '../../store/prefixed.js'
import {leaseTtlMs} from '../lease-ttl.js'
import {crashForTest} from '../crash-for-test.js'

export interface MachineRun {
  state: string
  context: Record<string, unknown> | undefined
}

/** The lease of an environment as a whole, at the top of the state (target names have no dot). */
export const environmentLease = (name: string) => `env.${name}`

export async function runEnvironmentMachine(
  whole: ReleaseConfig,
  name: string,
  run: {machine: AnyStateMachine; runId: string; input: unknown},
): Promise<MachineRun> {
  const shared = await openStateStore(whole)
  const now = () => Date.now()
  const ttlMs = leaseTtlMs()
  const lease = await acquireLease(shared, environmentLease(name), {releaseId: `${name}-${run.runId}`, ttlMs, now})
  // Every write carries the lease's fence: a process stopped past its lease while another took the
  // environment over (or `unlock --force` broke it) writes nothing more, and stops with E_LEASE_LOST.
  const store = environmentStore(fencedStore(shared, lease), name)
  // A step (one target's release) may outlast the lease: it is renewed while the machine runs.
  const renewal = setInterval(() => void lease.renew().catch(() => undefined), Math.max(1000, ttlMs / 3))
  renewal.unref()
  try {
    const saved = await loadSnapshot(store, run.runId)
    const snapshot = saved && saved.machineId === run.machine.id && saved.machineVersion === ENVIRONMENT_MACHINE_VERSION ? saved.snapshot : undefined
    const result = await runPersisted({
      machine: run.machine,
      releaseId: run.runId,
      store,
      input: run.input,
      ...(snapshot !== undefined ? {snapshot} : {}),
      machineVersion: ENVIRONMENT_MACHINE_VERSION,
      now,
      onTransition: async (state) => {
        if (!(await lease.renew())) throw await leaseLost(shared, lease)
        crashForTest(`env:${state}`)
      },
    })
    if (result.status === 'error') throw result.error
    return {state: result.state, context: result.context as Record<string, unknown> | undefined}
  } finally {
    clearInterval(renewal)
    await lease.release()
  }
}

/** Forgets a finished run, so that the next create or destroy of that name starts afresh. */
export async function forgetRun(whole: ReleaseConfig, name: string, runId: string): Promise<void> {
  const store = environmentStore(await openStateStore(whole), name)
  await store.remove(`releases/${runId}/snapshot.json`)
  await store.remove(`releases/${runId}/journal.ndjson`)
}
