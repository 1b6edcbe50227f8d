/**
 * keepWarm ends on time without a daemon (issue 15): once the period recorded in the ledger is over,
 * the next command holding the target's lease, or `release tidy`, scales the warm group to zero.
 * All on the injected clock.
 */
import {describe, expect, it} from 'vitest'
import {openAccount} from '../../src/app/account.js'
import {promote, rollback, rollout} from '../../src/app/release.js'
import {tidy} from '../../src/app/tidy.js'
import {statusOf} from '../../src/app/views.js'
import {acquireLease} from '../../src/engine/lease.js'
import type {SimAccount} from '../../src/sim/index.js'
import {statusText} from '../../src/commands/_render/release.js'
import {openProject, TRAFFIC_SOURCE} from '../fakes/workspace.js'
import {immutableDetails} from '../../src/engine/release-details.js'

const MINUTE = 60_000

function desiredOf(sim: SimAccount, group: string): number | undefined {
  return sim.view().groups.find((g) => g.name === group)?.desired
}

function instanceIds(sim: SimAccount): string[] {
  return sim.view().groups.flatMap((g) => g.instances.map((i) => i.id)).sort()
}

/** Two releases with keepWarm 30m: the first release's group is warm after the second. */
async function warmProject() {
  const project = await openProject({capacity: 2, extra: '    keepWarm: 30m\n'})
  const {ws, sim, clock} = project
  await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
  const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
  const warmGroup = String(immutableDetails(second.record)?.oldGroup)
  // status compares with the workspace's clock; here it is the account's virtual one.
  const ws2 = {...ws, now: () => clock.now()}
  return {...project, ws: ws2, warmGroup}
}

describe('the end of a keepWarm period', () => {
  it('status says until when, then that it is over; release tidy scales the group to zero and the ledger records it', async () => {
    const {ws, sim, clock, warmGroup} = await warmProject()
    const during = await statusOf(ws, 'web')
    expect(during.warm).toMatchObject({group: warmGroup, over: false})
    expect(statusText(during)).toMatch(new RegExp(`${warmGroup} warm until (\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d UTC`))

    // Inside the period tidy leaves it warm.
    expect((await tidy(ws, {}, {sim}))[0]).toMatchObject({target: 'web', ended: null, warmUntil: during.warm!.until})
    expect(desiredOf(sim, warmGroup)).toBe(2)

    clock.advance(31 * MINUTE)
    const after = await statusOf(ws, 'web')
    expect(after.warm).toMatchObject({group: warmGroup, over: true})
    expect(statusText(after)).toMatch(/warm period over .*run release tidy web/)

    const [result] = await tidy(ws, {}, {sim})
    expect(result).toMatchObject({target: 'web', ended: {group: warmGroup, done: 'scaledToZero'}, skipped: null})
    expect(desiredOf(sim, warmGroup)).toBe(0)
    const ledger = await ws.ledger.read('web')
    expect(immutableDetails(ledger.releases.at(-1)!)?.warmEnded).toMatchObject({how: 'scaledToZero'})
    expect((await statusOf(ws, 'web')).warm).toBeNull()
    // The stack stays, for a rollback without a new stack; the lease is given back.
    expect(sim.view().stacks.find((s) => s.name === 'release-web-1')?.status).toBe('CREATE_COMPLETE')
    expect(await ws.store.read('locks/web.json')).toBeUndefined()
  })

  it('a rollback after the period is over finds the group scaled to zero first: its instances boot again', async () => {
    const {ws, sim, clock, warmGroup} = await warmProject()
    clock.advance(31 * MINUTE)
    const before = instanceIds(sim)
    const back = await rollback(ws, {target: 'web'}, {}, {sim})
    expect(back.outcome).toBe('succeeded')
    expect(back.record.details).toMatchObject({reusedStack: true, group: warmGroup})
    // Not one traffic switch any more: the group went to zero and launched new instances.
    expect(instanceIds(sim).filter((id) => !before.includes(id))).toHaveLength(2)
    const ledger = await ws.ledger.read('web')
    expect(immutableDetails(ledger.releases.find((r) => r.id === 'web-2')!)?.warmEnded).toBeTruthy()
  })

  it('a promote after the period is over ends it first, under the lease it takes', async () => {
    const {ws, sim, clock, warmGroup} = await warmProject()
    const web = ws.config.targets.web!
    if (web.strategy !== 'immutable') throw new Error('web is immutable')
    web.gates = ['beforeShift']
    expect((await rollout(ws, {target: 'web', version: '3.0.0'}, {}, {sim})).outcome).toBe('paused')
    expect(desiredOf(sim, warmGroup)).toBe(2)

    clock.advance(31 * MINUTE)
    const said: string[] = []
    const done = await promote(ws, {target: 'web'}, {onProgress: (event) => said.push(event.message)}, {sim})
    expect(done.outcome).toBe('succeeded')
    expect(said[0]).toMatch(new RegExp(`warm period of ${warmGroup} ended .*scaled it to zero`))
    expect(immutableDetails((await ws.ledger.read('web')).releases.find((r) => r.id === 'web-2')!)?.warmEnded).toMatchObject({how: 'scaledToZero'})
  })

  it('never scales down a warm group attached to a traffic source', async () => {
    const {ws, sim, clock, warmGroup} = await warmProject()
    const account = await openAccount(ws.config, {sim})
    await account.fleet.attachTrafficSources(warmGroup, [TRAFFIC_SOURCE])
    clock.advance(31 * MINUTE)
    const [result] = await tidy(ws, {target: 'web'}, {sim})
    expect(result?.ended).toMatchObject({done: 'attached', attachedTo: [TRAFFIC_SOURCE]})
    expect(desiredOf(sim, warmGroup)).toBe(2)
    // Not recorded as ended: status keeps saying so until someone decides.
    expect((await statusOf(ws, 'web')).warm).toMatchObject({group: warmGroup, over: true})
  })

  it('skips a target locked by a release, which ends the period itself', async () => {
    const {ws, sim, clock, warmGroup} = await warmProject()
    clock.advance(31 * MINUTE)
    const lease = await acquireLease(ws.store, 'web', {releaseId: 'web-3', ttlMs: 3_600_000, now: ws.now, identity: {host: 'ci-runner-7', pid: 42}})
    const [result] = await tidy(ws, {}, {sim})
    expect(result?.skipped).toMatch(/locked by .*web-3/)
    expect(desiredOf(sim, warmGroup)).toBe(2)
    await lease.release()
  })
})
