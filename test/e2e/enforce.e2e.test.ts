/**
 * `enforce:` is crash-safe: a process killed after its release succeeded but before the association
 * moved leaves the release in progress; `release resume` ends it and moves the association.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {copyQuickstart} from '../fakes/workspace.js'
import {json, release} from './cli.js'

/** The commands the association applies, read from the simulated account's own file. */
function associationCommands(cwd: string): string[][] {
  const state = JSON.parse(readFileSync(join(cwd, '.release', 'sim', 'account.json'), 'utf8')) as {
    associations?: Record<string, {name?: string; parameters: Record<string, string[]>}>
  }
  return Object.values(state.associations ?? {}).map((a) => a.parameters['commands'] ?? [])
}

describe('enforce across a crash', () => {
  it('moves the association when the release killed before moving it is resumed', async () => {
    const cwd = join(copyQuickstart('release-enforce-'), 'desired-state')
    const first = await release(['rollout', 'appconf', '--version', 'aaaaaaaaaaaa'], {cwd})
    expect(first.code, first.stderr).toBe(0)
    expect(associationCommands(cwd)).toEqual([[expect.stringContaining('aaaaaaaaaaaa'), 'release-sim set-version aaaaaaaaaaaa', 'release-sim check']])

    const killed = await release(['rollout', 'appconf', '--version', 'bbbbbbbbbbbb'], {cwd, env: {RELEASE_TEST_CRASH_AT: 'notified:succeeded'}})
    expect(killed.code).not.toBe(0)
    // Killed after the release's change was done, before the association moved and the ledger ended it.
    expect(associationCommands(cwd)[0]).toContain('release-sim set-version aaaaaaaaaaaa')
    expect(json(await release(['status', 'appconf', '--json'], {cwd})).release).toMatchObject({outcome: 'inProgress'})

    const resumed = await release(['resume', 'appconf', '--json'], {cwd})
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(json(resumed)).toMatchObject({liveVersion: 'bbbbbbbbbbbb', release: {outcome: 'succeeded'}})
    expect(associationCommands(cwd)).toEqual([[expect.stringContaining('bbbbbbbbbbbb'), 'release-sim set-version bbbbbbbbbbbb', 'release-sim check']])
  })
})
