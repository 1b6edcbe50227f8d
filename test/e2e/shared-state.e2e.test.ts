/**
 * Several runners, one state: each "runner" is its own working directory, all sharing one DynamoDB
 * table (dynalite, started here on 127.0.0.1) and one simulated account (simulated.dir), as CI jobs
 * on hosted runners share one table and one AWS account. Through the built binary.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeProject} from '../fakes/workspace.js'
import {startDynalite, type Dynalite} from '../fakes/dynalite.js'
import {CONCURRENT_TIMEOUT_MS, json, release} from './cli.js'

let dynamo: Dynalite
beforeAll(async () => {
  dynamo = await startDynalite()
})
afterAll(async () => {
  await dynamo.close()
})

let tables = 0

/** `count` working directories on one new table and one new simulated account; the table is created. */
async function runners(count: number, options: Parameters<typeof makeProject>[0] = {}): Promise<string[]> {
  const table = `shared-${process.pid}-${++tables}`
  const sim = mkdtempSync(join(tmpdir(), 'release-shared-sim-'))
  const dirs = Array.from({length: count}, () => {
    const dir = makeProject(options)
    const file = join(dir, 'release.yml')
    const yml = readFileSync(file, 'utf8').replace(
      /^simulated:\n/m,
      `state: {backend: dynamodb, table: ${table}, endpoint: '${dynamo.endpoint}'}\nsimulated:\n  dir: ${JSON.stringify(sim)}\n`,
    )
    writeFileSync(file, yml)
    return dir
  })
  const init = await release(['state', 'init'], {cwd: dirs[0]!})
  expect(init.code, init.stderr).toBe(0)
  return dirs
}

// Each test has its own table and account: they run at once.
describe.concurrent('runners sharing one DynamoDB table and one account', () => {
  it('8 concurrent rollouts of one target: exactly one runs, the others exit 4 naming the holder', async () => {
    const dirs = await runners(8)
    // The 8 run in this worker and reach the lease together; at 40 virtual seconds per real second the
    // winner holds it for about 12 s (300 s of draining, a 2 min bake), far longer than that takes.
    const results = await Promise.all(dirs.map((cwd) => release(['rollout', 'web', '--version', '1.0.0'], {cwd, env: {RELEASE_SIM_SPEED: '40'}})))
    const codes = results.map((r) => r.code)
    expect(codes.filter((c) => c === 0), JSON.stringify(results.map((r) => [r.code, r.stderr.slice(-300)]))).toHaveLength(1)
    expect(codes.filter((c) => c === 4)).toHaveLength(7)
    for (const refused of results.filter((r) => r.code === 4)) {
      expect(refused.stderr).toMatch(/E_LOCKED/)
      expect(refused.stderr).toMatch(/locked by \S+@\S+ pid \d+ for release web-1/)
    }
    const history = json<any[]>(await release(['history', 'web', '--json'], {cwd: dirs[7]!}))
    expect(history.map((r) => [r.id, r.outcome])).toEqual([['web-1', 'succeeded']])
  }, CONCURRENT_TIMEOUT_MS)

  it('a release paused at a gate in one directory is promoted from another, and seen from a third that never ran it', async () => {
    const [a, b, c] = await runners(3, {extra: '    gates: [beforeShift]\n'})
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd: a!})).code).toBe(10)
    const paused = json(await release(['status', 'web', '--json'], {cwd: c!}))
    expect(paused).toMatchObject({liveVersion: null, release: {id: 'web-1', outcome: 'paused', state: 'pausedBeforeShift'}})

    const promoted = await release(['promote', 'web', '--json'], {cwd: b!})
    expect(promoted.code, promoted.stderr).toBe(0)
    expect(json(promoted)).toMatchObject({liveVersion: '1.0.0', release: {id: 'web-1', outcome: 'succeeded'}})

    // A second release paused in b, aborted from c.
    expect((await release(['rollout', 'web', '--version', '2.0.0'], {cwd: b!})).code).toBe(10)
    const aborted = await release(['abort', 'web', '--reason', 'freeze', '--json'], {cwd: c!})
    expect(aborted.code).toBe(3)
    expect(json(aborted)).toMatchObject({liveVersion: '1.0.0', release: {id: 'web-2', outcome: 'aborted'}})

    const history = json<any[]>(await release(['history', 'web', '--json'], {cwd: c!}))
    expect(history.map((r) => [r.id, r.outcome])).toEqual([
      ['web-2', 'aborted'],
      ['web-1', 'succeeded'],
    ])
    // wait and events --follow from a directory that never ran web-2 end with its outcome: aborted, exit 3.
    const waited = await release(['wait', 'web', '--timeout', '10s', '--json'], {cwd: a!})
    expect(waited.code, waited.stderr).toBe(3)
    expect(json(waited)).toMatchObject({release: {id: 'web-2', outcome: 'aborted'}})
    const events = await release(['events', 'web', '--follow'], {cwd: c!})
    expect(events.code).toBe(3)
    expect(events.stdout).toMatch(/pausedBeforeShift/)
  }, CONCURRENT_TIMEOUT_MS)

  it('status on the DynamoDB backend loads the bundled DynamoDB client, and no AWS SDK package', async () => {
    const [cwd] = await runners(1)
    const track = join(cwd!, 'imports.txt')
    const status = await release(['status', 'web'], {cwd: cwd!, env: {RELEASE_TRACK_IMPORTS: track}, nodeArgs: ['--import', join(import.meta.dirname, 'track-imports.mjs')]})
    expect(status.code, status.stderr).toBe(0)
    const loaded = readFileSync(track, 'utf8')
    // The bundle npm run build makes (src/aws/dynamodb-bundle.ts), never the packages it was made from.
    expect(loaded).toMatch(/\/dist\/vendor\/client-dynamodb\/index\.cjs/)
    expect(loaded).not.toMatch(/node_modules\/@(aws-sdk|smithy)\//)
  }, CONCURRENT_TIMEOUT_MS)

  it('a holder killed with SIGKILL is resumed from another directory, ending with one live version', async () => {
    const [a, b] = await runners(2)
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd: a!})).code).toBe(0)
    const killed = await release(['rollout', 'web', '--version', '2.0.0'], {cwd: a!, env: {RELEASE_TEST_CRASH_AT: 'shifting'}})
    expect(killed.code).not.toBe(0)
    const interrupted = json(await release(['status', 'web', '--json'], {cwd: b!}))
    expect(interrupted.release).toMatchObject({id: 'web-2', outcome: 'inProgress', state: 'shifting'})
    // The dead holder's lease is in the table, seen from the other directory as stale.
    expect(json<any[]>(await release(['locks', '--json'], {cwd: b!}))).toMatchObject([{target: 'web', releaseId: 'web-2', stale: true}])
    // Broken by hand from the other directory, saying who held it.
    const unlocked = await release(['unlock', 'web', '--force'], {cwd: b!})
    expect(unlocked.code, unlocked.stderr).toBe(0)
    expect(unlocked.stdout).toMatch(/broke the lock of web: held by \S+@\S+ pid \d+ for web-2/)
    expect(json<any[]>(await release(['locks', '--json'], {cwd: a!}))).toEqual([])

    const resumed = await release(['resume', 'web', '--json'], {cwd: b!})
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(json(resumed)).toMatchObject({liveVersion: '2.0.0', release: {id: 'web-2', outcome: 'succeeded'}})
    const account = json(await release(['sim', 'show', '--json'], {cwd: a!}))
    const serving = account.trafficSources[0].groups.filter((g: any) => g.state === 'InService').flatMap((g: any) => g.versions)
    expect([...new Set(serving)]).toEqual(['2.0.0'])
    expect(json<any[]>(await release(['locks', '--json'], {cwd: a!}))).toEqual([])
  }, CONCURRENT_TIMEOUT_MS)
})
