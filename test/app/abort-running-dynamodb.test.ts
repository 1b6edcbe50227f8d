/**
 * `release abort` of a running incremental release on the DynamoDB backend, the request made through
 * a store of its own (another process on the same table). The holder's look for the request is owed
 * to its next journal write (one call every few polls): the request's note takes the place that
 * write wanted, so the holder reads the request then, or by itself once the look has been owed
 * ABORT_LOOK_BOUND_MS. Sends a write-ahead covered before may go out until then, not later.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {abort, rollout} from '../../src/app/release.js'
import {ABORT_LOOK_BOUND_MS} from '../../src/app/triggers.js'
import type {Workspace} from '../../src/app/workspace.js'
import {openDynamoStore} from '../../src/aws/state-store.js'
import {Journal} from '../../src/engine/journal.js'
import {Ledger} from '../../src/engine/ledger.js'
import type {Clock} from '../../src/ports/clock.js'
import {freshDynamoStore, startDynalite, type Dynalite} from '../fakes/dynalite.js'
import {notInService, openIncremental, versionCounts} from '../fakes/incremental.js'

let dynamo: Dynalite
beforeAll(async () => {
  dynamo = await startDynalite()
})
afterAll(async () => {
  await dynamo.close()
})

/** The change commands the account was sent for a version. */
async function commandsTo(sim: {handle(service: 'ssm', name: string, input: unknown): Promise<any>}, version: string): Promise<number> {
  const {Commands} = await sim.handle('ssm', 'ListCommands', {MaxResults: 50})
  return (Commands as {Parameters: Record<string, string[]>}[]).filter((c) => (c.Parameters['commands'] ?? []).join('\n').includes(`set-version ${version}`)).length
}

describe('abort of a running release on the DynamoDB backend', () => {
  it('is noticed within the bound: no change is sent later than that after the request, and the release ends aborted', async () => {
    const {ws: opened, sim, clock} = await openIncremental({instances: 12})
    const store = await freshDynamoStore(dynamo.endpoint, clock)
    // Ledger times and lease expiry on the wall clock, as the workspace has them (virtual time is for steps).
    const now = opened.now
    const ws: Workspace = {...opened, store, now, ledger: new Ledger(store, now)}
    const otherStore = openDynamoStore({table: store.table, region: 'us-east-1', endpoint: dynamo.endpoint, clock, env: {}})
    const other: Workspace = {...opened, store: otherStore, now, ledger: new Ledger(otherStore, now)}

    // The release's step clock stops at the wait after its first write-ahead of the window (it has
    // sent changes, so it knows its place in the journal), until the request is recorded.
    let thaw: () => void = () => undefined
    let frozen: Promise<void> | undefined
    let reached: () => void = () => undefined
    const atPoint = new Promise<void>((resolve) => (reached = resolve))
    let sentBefore = -1
    let requestedAt = Number.POSITIVE_INFINITY
    // When (step clock) each change to 2.0.0 was sent.
    const sendTimes: number[] = []
    const handle = sim.handle.bind(sim)
    sim.handle = async (service, commandName, input) => {
      if (service === 'ssm' && commandName === 'SendCommand' && String((input as {Comment?: string}).Comment).endsWith('to 2.0.0')) sendTimes.push(clock.now())
      return handle(service, commandName, input)
    }
    const wrapClock = (inner: Clock): Clock => ({
      now: () => inner.now(),
      sleep: async (ms) => {
        if (!frozen && (await commandsTo(sim, '2.0.0')) >= 2) {
          frozen = new Promise<void>((resolve) => (thaw = resolve))
          reached()
        }
        await frozen
        await inner.sleep(ms)
      },
    })
    const running = rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim, wrapClock})
    await atPoint
    const [ran, aborted] = await Promise.all([
      running,
      abort(
        other,
        {target: 'api', reason: 'error rate up'},
        {
          onAbortRequested: () => {
            requestedAt = clock.now()
            void commandsTo(sim, '2.0.0').then((sent) => {
              sentBefore = sent
              thaw()
            })
          },
          sleep: () => new Promise((resolve) => setImmediate(resolve)),
        },
        {sim},
      ),
    ])
    expect(ran, ran.message).toMatchObject({outcome: 'aborted', exitCode: 3, record: {details: {abort: {reason: 'error rate up'}}}})
    expect(aborted.outcome).toBe('aborted')
    expect(sentBefore).toBeGreaterThanOrEqual(2)
    // A poll after the bound reads the request: no send comes later than that (polls are 60 s apart at most).
    expect(sendTimes.filter((at) => at > requestedAt + ABORT_LOOK_BOUND_MS + 60_000)).toEqual([])
    expect(versionCounts(sim)).toEqual({'1.0.0': 12})
    expect(notInService(sim)).toEqual([])
    const notes = (await new Journal(otherStore, now).read(ran.record.id)).filter((e) => e.type === 'note').map((e) => e.message)
    expect(notes).toEqual(expect.arrayContaining([expect.stringMatching(/^abort requested by .*: error rate up$/), expect.stringMatching(/^abort requested by .*going back$/)]))
  })
})
