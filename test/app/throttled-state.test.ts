/**
 * Releases on the DynamoDB backend (dynalite) while most DynamoDB calls are throttled: the retries
 * wait on the virtual clock, and the release still ends clean with a ledger that matches the account.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {Journal} from '../../src/engine/journal.js'
import {Ledger} from '../../src/engine/ledger.js'
import type {DynamoStateStore} from '../../src/aws/state-store.js'
import {freshDynamoStore, startDynalite, type Dynalite} from '../fakes/dynalite.js'
import {openIncremental, versionCounts} from '../fakes/incremental.js'
import {versionsTakingTraffic} from '../fakes/account.js'
import {openProject} from '../fakes/workspace.js'

let dynamo: Dynalite
beforeAll(async () => {
  dynamo = await startDynalite()
})
afterAll(async () => {
  await dynamo.close()
})

/** Throttles `share` of the calls (a fault injector in front of the real endpoint); counts them. */
function throttle(store: DynamoStateStore, share: number): {calls: number; throttled: number} {
  const seen = {calls: 0, throttled: 0}
  let draw = 0
  store.rawClient.middlewareStack.add(
    (next) => async (args) => {
      seen.calls++
      // Deterministic: of every 10 calls, the first share*10 are throttled.
      if (draw++ % 10 < share * 10) {
        seen.throttled++
        throw Object.assign(new Error('Throughput exceeds the current capacity of your table or index.'), {
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
          $metadata: {httpStatusCode: 400},
        })
      }
      return next(args)
    },
    {step: 'initialize', name: 'throttleFaults'},
  )
  return seen
}

describe('the DynamoDB backend under throttling', () => {
  it('an immutable rollout ends clean with 60% of the calls throttled', async () => {
    const {ws: opened, sim, clock} = await openProject()
    const store = await freshDynamoStore(dynamo.endpoint, clock)
    const seen = throttle(store, 0.6)
    const ws = {...opened, store, ledger: new Ledger(store, opened.now)}
    const result = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    expect(result.outcome).toBe('succeeded')
    expect(seen.throttled).toBeGreaterThan(10)
    const ledger = await ws.ledger.read('web')
    expect(ledger.liveVersion).toBe('1.0.0')
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
  })

  it('an incremental rollout of 40 instances: every instance changed once, the journal in order', async () => {
    const {ws: opened, sim, clock} = await openIncremental({instances: 40})
    const store = await freshDynamoStore(dynamo.endpoint, clock)
    throttle(store, 0.5)
    const ws = {...opened, store, ledger: new Ledger(store, opened.now)}
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 40})
    const entries = await new Journal(store, ws.now).read('api-1')
    const at = entries.map((e) => Date.parse(e.at))
    expect(at).toEqual([...at].sort((a, b) => a - b))
    expect(entries.at(-1)).toMatchObject({type: 'transition', state: 'succeeded'})
  })
})
