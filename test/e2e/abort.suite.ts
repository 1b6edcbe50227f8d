/**
 * `release abort` through the built binary: of a release whose process died, from another process
 * while the release runs in its bake, and with --wait. Its suites run in real-time.e2e.test.ts,
 * beside stopped-holder.suite.ts, as both wait in real time.
 */
import {readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {Ajv2020} from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import {describe, expect, it} from 'vitest'
import {makeProject} from '../fakes/workspace.js'
import {CONCURRENT_TIMEOUT_MS, json, release} from './cli.js'

// The three set-ups are independent (a project directory each): they run at once.
describe.concurrent('release abort of a release whose process died', {timeout: CONCURRENT_TIMEOUT_MS}, () => {
  it('resumes it and takes it back at once: aborted, exit 3, the previous version live, who and why in history', async () => {
    const cwd = makeProject({capacity: 2})
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd})).code).toBe(0)
    const killed = await release(['rollout', 'web', '--version', '2.0.0'], {cwd, env: {RELEASE_TEST_CRASH_AT: 'baking'}})
    expect(killed.code).not.toBe(0)

    const aborted = await release(['abort', 'web', '--reason', 'latency up', '--json'], {cwd})
    expect(aborted.code, aborted.stderr).toBe(3)
    expect(json(aborted)).toMatchObject({liveVersion: '1.0.0', release: {id: 'web-2', outcome: 'aborted'}})
    const view = json(await release(['sim', 'show', '--json'], {cwd}))
    const serving = view.trafficSources.flatMap((t: any) => t.groups.filter((g: any) => g.state === 'InService').flatMap((g: any) => g.versions))
    expect([...new Set(serving)]).toEqual(['1.0.0'])
    const history = json(await release(['history', 'web', '--json'], {cwd}))
    expect(history[0].message).toMatch(/aborted at baking by .+@.+: latency up/)
  })
})

/**
 * A rollout of web paced so that it is caught in its bake: 30 virtual minutes at 100x is 18 s of real
 * time at most, a bound the abort below ends long before. Not faster: the steps poll every 5 virtual
 * seconds whatever the pace, so a longer virtual bake costs CPU (360 polls here), and a faster pace
 * gives a loaded machine less time to catch the bake.
 */
const BAKING = {bake: '30m', speed: '100'}

/**
 * Web's target group for the paced rollouts: health checks every 5 s, healthy after 2, 20 s of
 * draining. With AWS's defaults (30 s, 5 checks, 300 s) each spent 450 virtual seconds attaching and
 * draining before its bake, and as many again on its way back after the abort: 9 s of real time at
 * 100x that no check here needs. The bake they are caught in is as long as before.
 */
const TARGET_GROUP = {intervalSeconds: 5, healthyThreshold: 2, deregistrationDelaySeconds: 20}

describe.concurrent('release abort from another process while the release runs', {timeout: CONCURRENT_TIMEOUT_MS}, () => {
  it('stops it in the bake: abort exits 3, aborted, the previous version live', async () => {
    const cwd = makeProject({capacity: 2, bake: BAKING.bake, targetGroup: TARGET_GROUP})
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd})).code).toBe(0)
    // Detached (a process of its own, the point of this test): it returns once the ledger shows
    // web-2, so the wait below is on web-2, not on web-1.
    const started = await release(['rollout', 'web', '--version', '2.0.0', '--detach'], {cwd, env: {RELEASE_SIM_SPEED: BAKING.speed}})
    expect(started.code, started.stderr).toBe(0)
    const reached = await release(['wait', 'web', '--for', 'baking'], {cwd})
    expect(reached.code, reached.stderr).toBe(0)
    const aborted = await release(['abort', 'web', '--reason', 'error rate up', '--json'], {cwd, env: {CI: 'true'}})
    expect(aborted.code, aborted.stderr).toBe(3)
    expect(json(aborted)).toMatchObject({liveVersion: '1.0.0', release: {id: 'web-2', outcome: 'aborted'}})
    // It never started the release it waited for; its CI log line still names it.
    expect(aborted.stderr).toMatch(/^\S+ \[web-2\] ended aborted$/m)
    expect(aborted.stderr).not.toMatch(/\[\]/)
    const history = json(await release(['history', 'web', '--json'], {cwd}))
    expect(history[0].message).toMatch(/aborted at baking by .+@.+: error rate up/)
  })
})

describe.concurrent('release abort --wait', {timeout: CONCURRENT_TIMEOUT_MS}, () => {
  it('a bad duration is exit 2 with nothing recorded; --wait 0s records the request and exits 5 (E_ABORT_PENDING), and the running release still goes back', async () => {
    const cwd = makeProject({capacity: 2, bake: BAKING.bake, targetGroup: TARGET_GROUP})
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd})).code).toBe(0)
    // The running release needs no process of its own here (the test above has one): it runs in this
    // worker, not awaited, beside the commands below.
    const running = release(['rollout', 'web', '--version', '2.0.0'], {cwd, env: {RELEASE_SIM_SPEED: BAKING.speed}})
    await ledgerShows(cwd, 'web-2', running)
    expect((await release(['wait', 'web', '--for', 'baking'], {cwd})).code).toBe(0)

    const bad = await release(['abort', 'web', '--wait', 'soon', '--json'], {cwd})
    expect(bad.code).toBe(2)
    expect(json(bad)).toMatchObject({error: {code: 'E_DURATION', exitCode: 2}})

    // The refused abort recorded nothing: the first request stands, and history shows this one's reason.
    const pending = await release(['abort', 'web', '--reason', 'error rate up', '--wait', '0s', '--json'], {cwd})
    expect(pending.code, pending.stderr).toBe(5)
    expect(pending.stderr).toMatch(/abort of web-2 requested at baking; waiting up to 0s for the process running it to take it back/)
    // The published error schema takes it, exit code 5 included.
    const addFormats = ((addFormatsModule as unknown as {default?: unknown}).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020
    const errorSchema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../docs/schemas/error.schema.json'), 'utf8'))
    const validate = addFormats(new Ajv2020({allErrors: true, strictRequired: false, allowUnionTypes: true})).compile(errorSchema)
    expect(validate(json(pending)), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({error: {...json(pending).error, exitCode: 2}})).toBe(false)
    expect(json(pending)).toMatchObject({error: {code: 'E_ABORT_PENDING', exitCode: 5, message: expect.stringMatching(/^the abort of web-2 is recorded/), next: expect.stringMatching(/release wait web/)}})

    const ended = await release(['wait', 'web', '--json'], {cwd})
    expect(ended.code, ended.stderr).toBe(3)
    expect(json(ended)).toMatchObject({liveVersion: '1.0.0', release: {id: 'web-2', outcome: 'aborted'}})
    const rollout = await running
    expect(rollout.code, rollout.stderr).toBe(3)
    const history = json(await release(['history', 'web', '--json'], {cwd}))
    expect(history[0].message).toMatch(/aborted at baking by .+@.+: error rate up/)
  })
})

/**
 * Waits until web's ledger holds `id` (as --detach does before it returns), so that a wait that
 * follows is on that release and not on the one before it. Looks every 50 ms, within a bound.
 */
async function ledgerShows(cwd: string, id: string, running: Promise<{code: number; stderr: string}>): Promise<void> {
  let ended: {code: number; stderr: string} | undefined
  void running.then((result) => (ended = result))
  const end = Date.now() + 60_000
  const file = join(cwd, '.release', 'targets', 'web', 'ledger.json')
  const has = () => {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as {releases: {id: string}[]}).releases.some((r) => r.id === id)
    } catch {
      return false
    }
  }
  while (!has()) {
    if (ended) throw new Error(`the rollout ended before the ledger showed ${id} (exit ${ended.code}): ${ended.stderr}`)
    if (Date.now() > end) throw new Error(`gave up waiting for ${id} in the ledger`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
