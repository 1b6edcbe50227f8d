import {describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {statusOf} from '../../src/app/views.js'
import {keys} from '../../src/engine/keys.js'
import {readLease} from '../../src/engine/lease.js'
import {isReleaseIdOf, releaseId, releaseIdPrefix, seqOfReleaseId} from '../../src/engine/release-id.js'
import {openProject} from '../fakes/workspace.js'

describe('the release id', () => {
  it('is <target>-<seq>, a named environment before it, and reads back', () => {
    expect(releaseId(releaseIdPrefix({}), 'web', 3)).toBe('web-3')
    expect(releaseId(releaseIdPrefix({environment: 'staging'}), 'web', 3)).toBe('staging-web-3')
    expect(seqOfReleaseId('staging-web-3')).toBe(3)
    expect(seqOfReleaseId('web-rebuild')).toBeUndefined()
    expect(isReleaseIdOf('staging-', 'web', 'staging-web-3')).toBe(true)
    expect(isReleaseIdOf('', 'web', 'staging-web-3')).toBe(false)
    expect(isReleaseIdOf('', 'web', 'web-api-3')).toBe(false)
  })

  it('is the same for the lease as for the ledger record when the ledger has a gap (a rebuilt ledger)', async () => {
    const {ws, sim} = await openProject()
    // Two releases, seq 1 and 3 (ledger rebuild numbers from the stacks' tags): the next is web-4, not web-3.
    const failed = (seq: number) => ({
      id: `web-${seq}`, target: 'web', seq, version: `0.${seq}.0`, strategy: 'immutable', kind: 'rollout', state: 'failed', outcome: 'failed',
      startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:00.000Z', previousVersion: null,
    })
    await ws.store.writeAtomic(keys.ledger('web'), JSON.stringify({target: 'web', liveVersion: null, releases: [failed(1), failed(3)]}))
    // Looked at from inside a step's wait, while the release runs under its lease.
    let looked: Promise<{lease: string | undefined; interrupted: boolean}> | undefined
    const look = async () => ({lease: (await readLease(ws.store, 'web'))?.releaseId, interrupted: (await statusOf(ws, 'web')).interrupted})
    const result = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {
      sim,
      wrapClock: (clock) => ({now: () => clock.now(), sleep: async (ms) => {
        looked ??= look()
        await looked
        return clock.sleep(ms)
      }}),
    })
    expect(result.outcome).toBe('succeeded')
    expect(result.record.id).toBe('web-4')
    // The lease names the release the ledger shows, so status never calls a running release interrupted.
    expect(await looked).toEqual({lease: 'web-4', interrupted: false})
  })
})
