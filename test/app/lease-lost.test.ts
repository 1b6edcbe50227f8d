/**
 * One driver per release: a holder stopped past its lease, taken over by `resume`, then woken up,
 * writes nothing more and says the release continues elsewhere (issue 16 item 2, issue 15 item 4).
 */
import {readFile, readdir} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {resume, rollout} from '../../src/app/release.js'
import {Ledger} from '../../src/engine/ledger.js'
import {liveStacks, versionsTakingTraffic} from '../fakes/account.js'
import {FreezableClock} from '../fakes/freezable-clock.js'
import {openProject} from '../fakes/workspace.js'

/** Every file under the state directory with its content (the simulated account is in memory). */
async function stateFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(dir, {recursive: true, withFileTypes: true})) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    out[path.relative(dir, file)] = await readFile(file, 'utf8')
  }
  return out
}

describe('a holder that lost its lease', () => {
  it('writes nothing more once resume took the release over, and the ledger matches the account', async () => {
    const {ws: opened, sim, clock} = await openProject({capacity: 3})
    // Lease expiry on the virtual clock, so that the stopped holder's lease runs out without waiting.
    const now = () => clock.now()
    const ws = {...opened, now, ledger: new Ledger(opened.store, now)}
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})

    const frozen = new FreezableClock()
    // The holder's last write before it stands still (its lease renewed then), seen by the test.
    let persisted = () => {}
    const reached = new Promise<void>((resolve) => (persisted = resolve))
    const first = rollout(
      ws,
      {target: 'web', version: '2.0.0'},
      {
        onProgress: (event) => (event.state === 'awaitingCapacity' ? frozen.freezeOnce() : undefined),
        onTransition: (state) => (state === 'awaitingCapacity' ? persisted() : undefined),
      },
      {sim, wrapClock: (c) => frozen.wrap(c)},
    ).then(
      (result) => ({result}),
      (error: unknown) => ({error}),
    )
    await Promise.all([frozen.stalled, reached])

    // The holder stands still past its lease; resume takes the release over and finishes it.
    clock.advance(10 * 60_000)
    const resumed = await resume(ws, {target: 'web'}, {}, {sim})
    expect(resumed.outcome).toBe('succeeded')
    const before = await stateFiles(ws.config.stateDir)

    // The old holder wakes up: it must notice and stop, writing nothing.
    frozen.thaw()
    const ended = await first
    expect(ended).toMatchObject({error: {code: 'E_LEASE_LOST', exitCode: 4}})
    expect((ended as {error: Error}).error.message).toMatch(/continues elsewhere/)
    expect(await stateFiles(ws.config.stateDir)).toEqual(before)

    const ledger = await ws.ledger.read('web')
    expect(ledger.liveVersion).toBe('2.0.0')
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
    expect(Object.keys(liveStacks(sim)).sort()).toEqual(['release-web-1', 'release-web-2'])
    expect(ledger.releases.map((r) => [r.id, r.outcome])).toEqual([
      ['web-1', 'succeeded'],
      ['web-2', 'succeeded'],
    ])
  })
})
