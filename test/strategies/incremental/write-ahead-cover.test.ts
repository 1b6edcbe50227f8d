/**
 * One write-ahead covers the sends of several looks (strategies/incremental/write-ahead.ts): it writes
 * ahead the instances sent now and those the next looks are about to send, so later sends to them
 * write nothing first and their command ids are only deferred. A process that dies then leaves sent
 * instances whose command the journal does not name, and instances written ahead that were never sent:
 * the resumed release finds the first (sends nobody the change twice) and starts the second from the
 * queue, the way back restores both; a pass that stops takes back the write-aheads it never sent.
 */
import {paginateListCommands} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {requestAbort} from '../../../src/engine/abort-request.js'
import {resume, rollout} from '../../../src/app/release.js'
import {Journal} from '../../../src/engine/journal.js'
import type {InstanceRecord} from '../../../src/ports/instance-journal.js'
import {createSimClients, type SimAccount} from '../../../src/sim/index.js'
import type {Workspace} from '../../../src/app/workspace.js'
import {foldJournal} from '../../../strategies/incremental/progress.js'
import {dieAt, leaveLeaseStale, sendTo} from '../../fakes/crash.js'
import {notInService, openIncremental, versionCounts} from '../../fakes/incremental.js'

/** How many change commands to `to` named each instance. */
async function sentTo(sim: SimAccount, to: string): Promise<Map<string, number>> {
  const sent = new Map<string, number>()
  for await (const page of paginateListCommands({client: createSimClients(sim).ssm}, {})) {
    for (const command of (page.Commands ?? []).filter((c) => c.Comment?.endsWith(to))) {
      for (const id of command.InstanceIds ?? []) sent.set(id, (sent.get(id) ?? 0) + 1)
    }
  }
  return sent
}

/** Runs `look` on every SendCommand the account is asked for, before the account takes it. */
function beforeEachSend(sim: SimAccount, look: (input: {Comment?: string; InstanceIds: string[]}, handle: SimAccount['handle']) => void | Promise<void>): void {
  const handle = sim.handle.bind(sim)
  sim.handle = async (service, commandName, input) => {
    if (service === 'ssm' && commandName === 'SendCommand') await look(input as {Comment?: string; InstanceIds: string[]}, handle)
    return handle(service, commandName, input)
  }
}

/** The instance records the journal holds now (what a process that died left behind). */
async function records(ws: Workspace, releaseId: string): Promise<InstanceRecord[]> {
  const entries = await new Journal(ws.store, ws.now).read(releaseId)
  return entries.filter((e) => e.type === 'instance').flatMap((e) => (e.data?.records ?? []) as InstanceRecord[])
}

/**
 * Runs a rollout of 40 instances (window 10, Standby) until `sends` SendCommands of 2.0.0, then freezes
 * its account for good (a killed runner) and makes its lease stale. Returns what the journal and the
 * account hold then.
 */
async function crashAfterSends(sends: number) {
  const project = await openIncremental({instances: 40, maxUnavailable: '25%', canary: 0, seed: 9, commandLatency: {medianMs: 90_000, p95Ms: 160_000}})
  const {ws, sim} = project
  let sent = 0
  const {dead, revive} = dieAt(sim, 'after', (service, command, input) => sendTo('2.0.0', service, command, input) && ++sent >= sends)
  const first = rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim}).then((r) => `ended ${r.outcome} before the crash`)
  expect(await Promise.race([dead.then(() => 'frozen'), first])).toBe('frozen')
  const lease = await leaveLeaseStale(ws.store, 'api')
  revive()
  const written = await records(ws, lease.releaseId)
  const sentBefore = await sentTo(sim, 'to 2.0.0')
  return {...project, releaseId: lease.releaseId, written, left: foldJournal(written).forward, sentBefore}
}

describe('one write-ahead for the sends of several looks', () => {
  it('costs fewer journal writes than looks that send: later sends to covered instances write nothing first', async () => {
    const {ws, sim} = await openIncremental({instances: 40, maxUnavailable: '25%', canary: 0, seed: 9, commandLatency: {medianMs: 90_000, p95Ms: 160_000}})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    const all = await records(ws, result.record.id)
    const writeAheads = all.filter((r) => r.phase === 'changing' && r.commandId === undefined)
    // Every instance written ahead once, most of them before the look that sent them.
    expect(new Set(writeAheads.map((r) => r.instanceId)).size).toBe(40)
    expect(writeAheads.filter((r) => r.ahead === true).length).toBeGreaterThan(20)
    const sendCalls = sim.metrics().calls['ssm:SendCommand'] ?? 0
    const writeAheadEntries = (await new Journal(ws.store, ws.now).read(result.record.id)).filter((e) =>
      ((e.data?.records ?? []) as InstanceRecord[]).some((r) => r.phase === 'changing' && r.commandId === undefined),
    ).length
    expect(writeAheadEntries).toBeLessThan(sendCalls / 2)
  })

  // After 4 sends the unnamed ones are written ahead (changing); after 11 some are on record as on
  // their way into Standby (a later write carried that record, not the send's).
  it.each([
    [4, 'changing'],
    [11, 'enteringStandby'],
  ])('a process that died after %i sends, some without a write of their own (%s on record): resumed, nobody is sent the change twice, those never sent start from the queue', async (sends, phase) => {
    const {ws, sim, written, left, sentBefore} = await crashAfterSends(sends)
    // What makes this case: instances the dead process sent whose command the journal does not name,
    // and instances written ahead that it never sent.
    const named = new Set(written.filter((r) => r.commandId !== undefined).map((r) => r.instanceId))
    const unnamed = [...sentBefore.keys()].filter((id) => !named.has(id))
    const aheadUnsent = [...left].filter(([id, r]) => r.ahead === true && !sentBefore.has(id))
    expect(unnamed.length).toBeGreaterThan(0)
    expect(aheadUnsent.length).toBeGreaterThan(0)
    for (const id of unnamed) expect(['changing', 'enteringStandby']).toContain(left.get(id)?.phase)
    expect(unnamed.map((id) => left.get(id)?.phase)).toContain(phase)

    // Every change the resumed process sends goes to an instance in Standby: one written ahead but
    // never sent is started again (into Standby first), not sent its change while in service.
    const sentInService: string[] = []
    beforeEachSend(sim, ({InstanceIds}) => {
      const standby = new Set(sim.view().groups.flatMap((g) => g.instances.filter((i) => i.lifecycle === 'Standby').map((i) => i.id)))
      sentInService.push(...InstanceIds.filter((id) => !standby.has(id)))
    })
    const result = await resume(ws, {target: 'api'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    expect(sentInService).toEqual([])
    expect(versionCounts(sim)).toEqual({'2.0.0': 40})
    expect(notInService(sim)).toEqual([])
    const sent = await sentTo(sim, 'to 2.0.0')
    expect(sent.size).toBe(40)
    expect([...sent].filter(([, n]) => n > 1)).toEqual([])
  })

  it.each([5, 11])('a process that died after %i sends, then aborted: the way back restores every instance the dead process sent, whatever the journal names', async (sends) => {
    const {ws, sim, releaseId, sentBefore} = await crashAfterSends(sends)
    await requestAbort(ws.store, releaseId, {reason: 'error rate up', by: 'bob@h', at: new Date(ws.now()).toISOString()})
    // Nothing is sent back to an instance while the change the dead process sent it may still run:
    // the two would race on it, and the change could end last (settle.ts), named in the journal or not.
    const racing: string[] = []
    beforeEachSend(sim, async ({Comment, InstanceIds}, handle) => {
      if (!Comment?.endsWith('back to 1.0.0')) return
      for (const id of InstanceIds) {
        const listed = (await handle('ssm', 'ListCommandInvocations', {InstanceId: id})) as {CommandInvocations: {Comment?: string; Status: string}[]}
        if (listed.CommandInvocations.some((i) => i.Comment?.endsWith('to 2.0.0') && ['Pending', 'InProgress', 'Delayed', 'Cancelling'].includes(i.Status))) racing.push(id)
      }
    })
    const result = await resume(ws, {target: 'api'}, {}, {sim})
    expect(result.outcome, result.message).toBe('aborted')
    expect(racing).toEqual([])
    expect(versionCounts(sim)).toEqual({'1.0.0': 40})
    expect(notInService(sim)).toEqual([])
    const restored = await sentTo(sim, 'back to 1.0.0')
    for (const id of sentBefore.keys()) expect(restored.has(id), id).toBe(true)
  })

  it('a pass that stops takes back the write-aheads it never sent: the way back restores only instances sent the change', async () => {
    const {ws, sim} = await openIncremental({instances: 40, maxUnavailable: '25%', canary: 0, seed: 9, faults: {unhealthyVersions: ['2.0.0']}})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('rolledBack')
    const all = await records(ws, result.record.id)
    const forward = await sentTo(sim, 'to 2.0.0')
    const restored = await sentTo(sim, 'back to 1.0.0')
    const takenBack = all.filter((r) => r.unsent === true).map((r) => r.instanceId)
    expect(takenBack.length).toBeGreaterThan(0)
    for (const id of takenBack) expect(forward.has(id), id).toBe(false)
    expect([...restored.keys()].filter((id) => !forward.has(id))).toEqual([])
    expect(versionCounts(sim)).toEqual({'1.0.0': 40})
    expect(notInService(sim)).toEqual([])
  })
})
