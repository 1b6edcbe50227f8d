/**
 * A release whose process died while changes were running resumes by re-attaching to the commands it
 * had sent: with the window looking when completions are due, it still reads those commands (sent by
 * another process, known only from the journal), sends nobody the change twice and ends as one run would.
 */
import {paginateListCommands} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {resume, rollout} from '../../../src/app/release.js'
import {createSimClients} from '../../../src/sim/index.js'
import {dieAt, leaveLeaseStale} from '../../fakes/crash.js'
import {notInService, openIncremental, versionCounts} from '../../fakes/incremental.js'

describe('a resumed incremental release', () => {
  it('re-attaches to the commands sent before the crash: none sent again, every instance changed once', async () => {
    const {ws, sim} = await openIncremental({instances: 40, maxUnavailable: '25%', canary: 0, seed: 9, commandLatency: {medianMs: 90_000, p95Ms: 160_000}})
    // The first process freezes for good (a killed runner) at its first look at the invocations after
    // three sends of the change: changes are running on the account, known only from its journal.
    let sends = 0
    const {dead, revive} = dieAt(sim, 'before', (service, command, input) => {
      if (service === 'ssm' && command === 'SendCommand' && String((input as {Comment?: string}).Comment).includes('to 2.0.0')) sends++
      return sends >= 3 && service === 'ssm' && command === 'ListCommandInvocations'
    })
    const first = rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim}).then((r) => `ended ${r.outcome} before the crash`)
    expect(await Promise.race([dead.then(() => 'frozen'), first])).toBe('frozen')
    const running = sim.metrics().calls['ssm:SendCommand']
    expect(running).toBeGreaterThanOrEqual(3)

    // The dead process's lease is stale; the next run takes it over.
    await leaveLeaseStale(ws.store, 'api')
    revive()
    const result = await resume(ws, {target: 'api'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 40})
    expect(notInService(sim)).toEqual([])
    const sent = new Map<string, number>()
    for await (const page of paginateListCommands({client: createSimClients(sim).ssm}, {})) {
      for (const command of (page.Commands ?? []).filter((c) => c.Comment?.includes('to 2.0.0'))) {
        for (const id of command.InstanceIds ?? []) sent.set(id, (sent.get(id) ?? 0) + 1)
      }
    }
    expect(sent.size).toBe(40)
    expect([...sent].filter(([, n]) => n > 1)).toEqual([])
  })
})
