/**
 * Resume refuses a damaged journal (issue 16 item 5): a garbled line in the middle of an incremental
 * release's journal is exit 2 naming the file and the line, with nothing changed in the account or
 * the ledger.
 */
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {promote, resume, rollout} from '../../src/app/release.js'
import {openIncremental, versionCounts} from '../fakes/incremental.js'

describe('a damaged journal', () => {
  it.each([
    ['not JSON', '{"at":"2026-01-01T00:00:00.000Z","type":"instance","data":{"rec'],
    ['an instance entry without records', '{"at":"2026-01-01T00:00:00.000Z","releaseId":"api-1","type":"instance","data":{"records":"x"}}'],
    ['an entry of no known type', '{"at":"2026-01-01T00:00:00.000Z","releaseId":"api-1","type":"garbage"}'],
  ])('is refused by resume (%s): exit 2, file and line named, nothing changed', async (_what, garbled) => {
    const {ws, sim} = await openIncremental({instances: 6})
    // api-1 dies after its canary.
    const crashed = rollout(ws, {target: 'api', version: '2.0.0'}, {onTransition: (state) => {
      if (state === 'rolling') throw new Error('process died')
    }}, {sim})
    await expect(crashed).rejects.toThrow('process died')
    const journalFile = path.join(ws.config.stateDir, 'releases', 'api-1', 'journal.ndjson')
    const lines = (await readFile(journalFile, 'utf8')).split('\n')
    const middle = Math.floor(lines.length / 2)
    lines[middle] = garbled
    await writeFile(journalFile, lines.join('\n'))
    const ledgerFile = path.join(ws.config.stateDir, 'targets', 'api', 'ledger.json')
    const ledgerBefore = await readFile(ledgerFile, 'utf8')
    const versionsBefore = versionCounts(sim)
    const journalBefore = await readFile(journalFile, 'utf8')

    const error = await resume(ws, {target: 'api'}, {}, {sim}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_STATE_CORRUPT', exitCode: 2})
    expect((error as Error).message).toContain(`${journalFile}:${middle + 1}`)
    expect(await readFile(ledgerFile, 'utf8')).toBe(ledgerBefore)
    expect(await readFile(journalFile, 'utf8')).toBe(journalBefore)
    expect(versionCounts(sim)).toEqual(versionsBefore)
    expect(await ws.store.read('locks/api.json')).toBeUndefined()
  })

  it('is refused by promote too, before the release moves', async () => {
    const {ws, sim} = await openIncremental({instances: 6})
    const api = ws.config.targets.api!
    if (api.strategy !== 'incremental') throw new Error('api is incremental')
    api.gates = ['afterCanary']
    expect((await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})).outcome).toBe('paused')
    const journalFile = path.join(ws.config.stateDir, 'releases', 'api-1', 'journal.ndjson')
    const lines = (await readFile(journalFile, 'utf8')).split('\n')
    lines[1] = 'garbage'
    await writeFile(journalFile, lines.join('\n'))
    const versionsBefore = versionCounts(sim)
    await expect(promote(ws, {target: 'api'}, {}, {sim})).rejects.toMatchObject({code: 'E_STATE_CORRUPT', exitCode: 2, message: expect.stringContaining(`${journalFile}:2`)})
    expect(versionCounts(sim)).toEqual(versionsBefore)
    expect((await ws.ledger.current('api'))?.outcome).toBe('paused')
  })
})
