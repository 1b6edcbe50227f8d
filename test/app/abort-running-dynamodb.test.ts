/**
 * `release abort` of a running incremental release on the DynamoDB backend, the request made through
 * a store of its own (another process on the same table). The holder's look for the request is owed
 * to its next write-ahead (one call a poll): the request's note takes the place that write wanted, so
 * the holder reads the request before it sends anything more.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {abort, rollout} from '../../src/app/release.js'
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
  it('is read before the next send: no change is sent after the request, and the release ends aborted', async () => {
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
    expect(await commandsTo(sim, '2.0.0')).toBe(sentBefore)
    expect(versionCounts(sim)).toEqual({'1.0.0': 12})
    expect(notInService(sim)).toEqual([])
    const notes = (await new Journal(otherStore, now).read(ran.record.id)).filter((e) => e.type === 'note').map((e) => e.message)
    expect(notes).toEqual(expect.arrayContaining([expect.stringMatching(/^abort requested by .*: error rate up$/), expect.stringMatching(/^abort requested by .*going back$/)]))
  })
})
