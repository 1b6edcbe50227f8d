/**
 * Alarms and notices of a named environment, through release.yml as a user writes it: staging has an
 * alarm of its own and its own webhook (replacing the top-level one); a staging release is rolled back
 * by that alarm and told to staging's webhook only, while a prod release is told to the top-level one.
 * The webhooks are real HTTP servers on 127.0.0.1.
 */
import {appendFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {Journal} from '../../src/engine/journal.js'
import {SimAccount} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {liveStacks} from '../fakes/account.js'
import {TRAFFIC_SOURCE, makeProject} from '../fakes/workspace.js'

const STAGING_SOURCE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-staging/0123456789abcdef'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((resolve) => s.close(resolve))
  }
})

/** A webhook on 127.0.0.1 that answers 200 and keeps each notice it got. */
async function webhook() {
  const received: {text: string; release: Record<string, unknown>}[] = []
  const s = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      received.push(JSON.parse(body))
      res.end('ok')
    })
  })
  servers.push(s)
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return {url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, received}
}

describe('alarms and notices of a named environment', () => {
  it('staging: rolled back by its environment alarm, told to its own webhook only; prod: told to the top-level webhook', async () => {
    const everyone = await webhook()
    const stagingChannel = await webhook()
    const dir = makeProject({bake: '30m'})
    appendFileSync(
      join(dir, 'release.yml'),
      `notify:
  - webhook: ${everyone.url}
environments:
  staging:
    alarms: [staging-web-errors]
    notify:
      - webhook: ${stagingChannel.url}
    targets:
      web: {trafficSources: ['${STAGING_SOURCE}']}
  prod:
    default: true
`,
    )
    const configPath = join(dir, 'release.yml')
    const staging = await openWorkspace({configPath, cwd: dir, env: 'staging'})
    const prod = await openWorkspace({configPath, cwd: dir})
    expect(staging.config.targets.web).toMatchObject({alarms: ['staging-web-errors'], notify: [{webhook: stagingChannel.url}]})
    expect(prod.config.targets.web).toMatchObject({alarms: [], notify: [{webhook: everyone.url}]})

    // The alarm watches staging's traffic; a version ending -alarm sets it off 15 minutes into its traffic (past the shift's 5 minutes of draining: in the bake).
    const sim = SimAccount.open({
      clock: new VirtualClock(),
      seed: 3,
      targetGroups: {[TRAFFIC_SOURCE]: {}, [STAGING_SOURCE]: {}},
      faults: {alarmingVersions: ['*-alarm'], alarmAfterSeconds: 900},
      alarms: {'staging-web-errors': {trafficSources: [STAGING_SOURCE]}},
    })

    expect((await rollout(staging, {target: 'web', version: '1.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    const result = await rollout(staging, {target: 'web', version: '2.0.0-alarm'}, {}, {sim})
    expect(result, result.message).toMatchObject({outcome: 'rolledBack', exitCode: 3, record: {id: 'staging-web-2', details: {failure: {step: 'baking'}}}})
    expect(result.message).toMatch(/alarm staging-web-errors is in ALARM since .*instances of version 2\.0\.0-alarm report errors/)
    expect(Object.keys(liveStacks(sim))).toEqual(['release-staging-web-1'])
    const notes = (await new Journal(staging.store, staging.now).read('staging-web-2')).filter((e) => e.type === 'note').map((e) => e.message)
    expect(notes).toContainEqual(expect.stringMatching(/^alarm staging-web-errors is in ALARM .*going back$/))

    // Staging's releases went to staging's channel, each notice naming the environment; none to the top-level one.
    expect(stagingChannel.received.map((n) => [n.release['releaseId'], n.release['event'], n.release['environment']])).toEqual([
      ['staging-web-1', 'started', 'staging'],
      ['staging-web-1', 'succeeded', 'staging'],
      ['staging-web-2', 'started', 'staging'],
      ['staging-web-2', 'rolledBack', 'staging'],
    ])
    expect(stagingChannel.received.at(-1)!.text).toMatch(/^release staging-web-2 \(web 2\.0\.0-alarm, previous 1\.0\.0\) was rolled back in staging, run by .+@.+\. .*alarm staging-web-errors/)
    expect(everyone.received).toEqual([])

    // Prod keeps the top-level destination, and staging's alarm is not one of its health signals.
    expect((await rollout(prod, {target: 'web', version: '1.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    expect(everyone.received.map((n) => [n.release['releaseId'], n.release['event'], n.release['environment']])).toEqual([
      ['prod-web-1', 'started', 'prod'],
      ['prod-web-1', 'succeeded', 'prod'],
    ])
    expect(stagingChannel.received).toHaveLength(4)
  })

  it('an environment alarm the account does not have is refused before anything changes, the hint naming where environments list alarms', async () => {
    const dir = makeProject()
    appendFileSync(join(dir, 'release.yml'), `environments:\n  prod:\n    alarms: [prod-error-budget]\n`)
    const prod = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
    const sim = SimAccount.open({clock: new VirtualClock(), seed: 3, targetGroups: {[TRAFFIC_SOURCE]: {}}})
    await expect(rollout(prod, {target: 'web', version: '1.0.0'}, {}, {sim})).rejects.toMatchObject({
      code: 'E_ALARM_UNKNOWN',
      exitCode: 2,
      message: expect.stringMatching(/no CloudWatch alarm prod-error-budget$/),
      hint: expect.stringContaining('environments.prod.alarms and environments.prod.targets.web.alarms'),
    })
    expect(liveStacks(sim)).toEqual({})
    expect((await prod.ledger.read('web')).releases).toHaveLength(0)
  })
})
