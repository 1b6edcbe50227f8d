/**
 * A holder stopped (SIGSTOP) past its lease while another process took the release over, then
 * continued (SIGCONT): through the built binary, on the file backend (both processes in one
 * directory) and on the DynamoDB backend (dynalite over HTTP, two directories sharing one table and
 * one simulated account). The continued holder writes nothing more to the state, exits 4 with
 * E_LEASE_LOST, and the ledger matches the account.
 *
 * Its suites run in real-time.e2e.test.ts, beside abort.suite.ts, as both wait in real time.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openDynamoStore} from '../../src/aws/state-store.js'
import type {StateStore} from '../../src/ports/store.js'
import {FileStateStore} from '../../src/store/file.js'
import {VirtualClock} from '../../src/util/clock.js'
import {startDynalite, type Dynalite} from '../fakes/dynalite.js'
import {makeProject} from '../fakes/workspace.js'
import {json, release, startRelease} from './cli.js'

let dynamo: Dynalite
beforeAll(async () => {
  dynamo = await startDynalite()
})
afterAll(async () => {
  await dynamo.close()
})

/**
 * The holder's pace: 4 virtual minutes of bake at 40 virtual seconds a second, 6 s to stop it in its
 * bake. Not a longer virtual bake at a faster pace: the steps poll every 5 virtual seconds whatever
 * the pace, and the set-up's rollout and the process that takes the release over poll out the whole
 * bake (at instant speed, but each poll costs CPU).
 */
const HOLDER = {bake: '4m', speed: '40'}

/**
 * Web's target group: health checks every 5 s, healthy after 2, 20 s of draining. With AWS's defaults
 * (30 s, 5 checks, 300 s) the holder spent 450 virtual seconds attaching and draining before its
 * bake, 11 s of real time at its pace that no check here needs; the bake it is caught in, and the
 * lease, are as long as before.
 */
const TARGET_GROUP = {intervalSeconds: 5, healthyThreshold: 2, deregistrationDelaySeconds: 20}

/**
 * The holder's lease, in seconds, renewed every third of it. 10 s, not less: the two backends run at
 * once, and a loaded machine stalls the holder (and this worker, where dynalite answers it) for
 * seconds; a renewal that lands after the lease ran out costs the running holder its lease.
 */
const LEASE_TTL = '10'

/** Two working directories on one state (the same one for the file backend), and a store to look at it. */
async function setup(backend: 'file' | 'dynamodb'): Promise<{a: string; b: string; state: StateStore}> {
  const a = makeProject({bake: HOLDER.bake, targetGroup: TARGET_GROUP})
  if (backend === 'file') return {a, b: a, state: new FileStateStore(join(a, '.release'))}
  const table = `stopped-${process.pid}`
  const sim = mkdtempSync(join(tmpdir(), 'release-stopped-sim-'))
  const b = makeProject({bake: HOLDER.bake, targetGroup: TARGET_GROUP})
  for (const dir of [a, b]) {
    const file = join(dir, 'release.yml')
    const yml = readFileSync(file, 'utf8').replace(/^simulated:\n/m, `state: {backend: dynamodb, table: ${table}, endpoint: '${dynamo.endpoint}'}\nsimulated:\n  dir: ${JSON.stringify(sim)}\n`)
    writeFileSync(file, yml)
  }
  const init = await release(['state', 'init'], {cwd: a})
  expect(init.code, init.stderr).toBe(0)
  return {a, b, state: openDynamoStore({table, region: 'us-east-1', endpoint: dynamo.endpoint, clock: new VirtualClock(), env: {}})}
}

/** Looks again until `check` holds (the holder and the lease live in real time; a bound, not a sleep). */
async function until(what: string, check: () => Promise<boolean>, limitMs = 150_000): Promise<void> {
  const end = Date.now() + limitMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const KEYS = ['targets/web/ledger.json', 'releases/web-2/journal.ndjson', 'releases/web-2/snapshot.json', 'releases/web-2/notices.ndjson', 'locks/web.json', 'locks/web.fence']

// The two backends' set-ups share nothing (their own directories; the DynamoDB one its own table): they run at once.
describe.concurrent.each(['file', 'dynamodb'] as const)('a holder stopped past its lease, then continued (%s backend)', (backend) => {
  it('writes nothing more, exits 4 (E_LEASE_LOST), and the ledger matches the account', async () => {
    const {a, b, state} = await setup(backend)
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd: a})).code).toBe(0)
    const env = {RELEASE_LEASE_TTL: LEASE_TTL, RELEASE_SIM_SPEED: HOLDER.speed}
    const holder = startRelease(['rollout', 'web', '--version', '2.0.0'], {cwd: a, env})
    const ledger = async () => JSON.parse((await state.read('targets/web/ledger.json')) ?? '{"releases":[]}')
    let ended: {code: number; stderr: string} | undefined
    void holder.result.then((r) => (ended = r))
    await until('web-2 bakes', async () => {
      if (ended) throw new Error(`the holder ended before it baked (exit ${ended.code}): ${ended.stderr}`)
      return (await ledger()).releases.some((r: any) => r.id === 'web-2' && r.state === 'baking')
    })
    process.kill(holder.child.pid!, 'SIGSTOP')
    try {
      await until('its lease expired', async () => Date.parse(JSON.parse((await state.read('locks/web.json')) ?? '{}').expires ?? '0') < Date.now())
      // A renewal the holder had in flight when it was stopped can land after the look above: take
      // over once the lease it wrote last has run out too (a stopped holder renews nothing more).
      let resumed = await release(['resume', 'web', '--json'], {cwd: b, env: {RELEASE_LEASE_TTL: LEASE_TTL}})
      await until('the stopped holder\'s lease is taken over', async () => {
        if (resumed.code !== 4 || !resumed.stderr.includes('E_LOCKED')) return true
        resumed = await release(['resume', 'web', '--json'], {cwd: b, env: {RELEASE_LEASE_TTL: LEASE_TTL}})
        return false
      })
      expect(resumed.code, resumed.stderr).toBe(0)
      expect(json(resumed)).toMatchObject({liveVersion: '2.0.0', release: {id: 'web-2', outcome: 'succeeded'}})
    } finally {
      process.kill(holder.child.pid!, 'SIGCONT')
    }
    const before = await Promise.all(KEYS.map((key) => state.read(key)))
    const stopped = await holder.result
    expect(stopped.code, stopped.stderr).toBe(4)
    expect(stopped.stderr).toMatch(/E_LEASE_LOST/)
    expect(stopped.stderr).toMatch(/lost the lease of web \(token \d+\) and stopped, writing nothing more/)
    // Not one more write of the state: ledger, journal, snapshot, notices, lease.
    expect(await Promise.all(KEYS.map((key) => state.read(key)))).toEqual(before)
    expect((await ledger()).liveVersion).toBe('2.0.0')
    const account = json(await release(['sim', 'show', '--json'], {cwd: a}))
    const serving = account.trafficSources[0].groups.filter((g: any) => g.state === 'InService').flatMap((g: any) => g.versions)
    expect([...new Set(serving)]).toEqual(['2.0.0'])
  }, 300_000)
})
