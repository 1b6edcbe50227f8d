/** CI gating through the built binary: wait, rollout --detach, events. */
import {mkdirSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {makeProject} from '../fakes/workspace.js'
import {CONCURRENT_TIMEOUT_MS, json, release} from './cli.js'

/** A release of web in progress at baking, as a running (lease: true, held by this test's live pid) or a dead process left it. */
function inProgress(cwd: string, lease: boolean) {
  const now = Date.now()
  mkdirSync(join(cwd, '.release', 'targets', 'web'), {recursive: true})
  const record = {id: 'web-1', target: 'web', seq: 1, version: '1.0.0', strategy: 'immutable', kind: 'rollout', state: 'baking', outcome: 'inProgress', startedAt: new Date(now).toISOString(), previousVersion: null}
  writeFileSync(join(cwd, '.release', 'targets', 'web', 'ledger.json'), JSON.stringify({target: 'web', liveVersion: null, releases: [record]}))
  if (!lease) return
  mkdirSync(join(cwd, '.release', 'locks'), {recursive: true})
  writeFileSync(
    join(cwd, '.release', 'locks', 'web.json'),
    JSON.stringify({target: 'web', holder: `ci@${hostname()} pid ${process.pid}`, host: hostname(), pid: process.pid, releaseId: 'web-1', since: new Date(now).toISOString(), expires: new Date(now + 10 * 60_000).toISOString()}),
  )
}

// Every test has its own project directory: they run at once.
describe.concurrent('release wait', {timeout: CONCURRENT_TIMEOUT_MS}, () => {
  it('on a release that has ended, exits by its outcome (0, 3) with the status', async () => {
    const cwd = makeProject()
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd})).code).toBe(0)
    const ok = await release(['wait', 'web'], {cwd})
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/live 1\.0\.0/)

    expect((await release(['rollout', 'web', '--version', '2.0.0-bad'], {cwd})).code).toBe(3)
    const back = await release(['wait', 'web', '--json'], {cwd})
    expect(back.code).toBe(3)
    expect(json(back)).toMatchObject({target: 'web', liveVersion: '1.0.0', interrupted: false, release: {id: 'web-2', outcome: 'rolledBack'}})
  })

  it('--timeout on a release still running exits 5 with the status', async () => {
    const cwd = makeProject()
    inProgress(cwd, true)
    // A zero timeout: the exit code and output of a timeout without a second of real waiting (the
    // wait itself, on an injected clock, is tested in test/app/wait.test.ts).
    const result = await release(['wait', 'web', '--timeout', '0s', '--json'], {cwd})
    expect(result.code).toBe(5)
    expect(json(result)).toMatchObject({interrupted: false, release: {id: 'web-1', state: 'baking', outcome: 'inProgress'}})
    expect(result.stderr).toMatch(/timed out after 0s/)
  })

  it('on a release nobody runs any more, exits 1 naming release resume; status says it too', async () => {
    const cwd = makeProject()
    inProgress(cwd, false)
    const result = await release(['wait', 'web'], {cwd})
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/E_INTERRUPTED: .*interrupted at baking/)
    expect(result.stderr).toMatch(/release resume web/)
    const status = await release(['status', 'web'], {cwd})
    expect(status.stdout).toMatch(/interrupted at baking: continue it with release resume web/)
    expect(json(await release(['status', 'web', '--json'], {cwd}))).toMatchObject({interrupted: true})
  })

  it('an unknown target or no release at all: exit 2', async () => {
    const cwd = makeProject()
    const unknown = await release(['wait', 'api'], {cwd})
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/E_UNKNOWN_TARGET/)
    const none = await release(['wait', 'web', '--json'], {cwd})
    expect(none.code).toBe(2)
    expect(json(none)).toMatchObject({error: {code: 'E_NO_RELEASE', exitCode: 2}})
  })
})

describe.concurrent('rollout --detach, then wait and events', {timeout: CONCURRENT_TIMEOUT_MS}, () => {
  it('returns the id at once; wait exits 0 with the status; events --json is NDJSON of the whole journal', async () => {
    const cwd = makeProject()
    const started = await release(['rollout', 'web', '--version', '1.0.0', '--detach', '--json'], {cwd})
    expect(started.code, started.stderr).toBe(0)
    const detached = json(started)
    expect(detached).toMatchObject({id: 'web-1', target: 'web', log: expect.stringMatching(/\.release\/releases\/detached-.*\.log$/)})

    const waited = await release(['wait', 'web', '--json'], {cwd})
    expect(waited.code, waited.stderr).toBe(0)
    expect(json(waited)).toMatchObject({liveVersion: '1.0.0', release: {id: 'web-1', outcome: 'succeeded'}})

    const events = await release(['events', 'web', '--json'], {cwd})
    expect(events.code).toBe(0)
    const entries = events.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))
    const transitions = entries.filter((e) => e.type === 'transition').map((e) => e.state)
    expect(transitions).toEqual(['planning', 'provisioning', 'awaitingCapacity', 'verifying', 'shifting', 'baking', 'retiring', 'succeeded'])
  })

  it('a detached rollout refused before it begins reports the refusal with its exit code', async () => {
    const cwd = makeProject()
    inProgress(cwd, true)
    const locked = await release(['rollout', 'web', '--version', '2.0.0', '--detach', '--json'], {cwd})
    expect(locked.code).toBe(4)
    expect(locked.stderr).toMatch(/E_LOCKED/)
    // The background process's error arrives as data (its code, not E_DETACHED_EXIT).
    expect(json(locked)).toMatchObject({error: {code: 'E_LOCKED', exitCode: 4}})
  })

  it('events --follow on a detached rollout ends when the release ends, with its exit code', async () => {
    const cwd = makeProject()
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd})).code).toBe(0)
    // At a visible pace, so that there is something to follow.
    const started = await release(['rollout', 'web', '--version', '2.0.0-bad', '--detach'], {cwd, env: {RELEASE_SIM_SPEED: '100'}})
    expect(started.code, started.stderr).toBe(0)
    expect(started.stdout).toMatch(/^started web-2; follow it with: release events web --follow, or wait with: release wait web$/m)
    const followed = await release(['events', 'web', '--follow'], {cwd})
    expect(followed.code, followed.stderr).toBe(3)
    expect(followed.stdout).toMatch(/transition rolledBack/)
    expect(followed.stdout.trimEnd().split('\n').at(-1)).toMatch(/^web-2 rolledBack: /)
  })
})
