/**
 * Notices to real HTTP servers on 127.0.0.1 (one that answers, a slow one, one that answers 500, one
 * that never answers) and to the simulated account's SNS topic and EventBridge bus. Delivery timeouts
 * and backoff run on an injected clock that runs 5 times faster than the wall clock, so a give-up
 * costs milliseconds.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {openWorkspace} from '../../src/app/workspace.js'
import type {NoticeClock} from '../../src/app/notices/index.js'
import {Journal} from '../../src/engine/journal.js'
import {SimAccount} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {makeProject, TRAFFIC_SOURCE} from '../fakes/workspace.js'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((resolve) => s.close(resolve))
  }
})

/** A server on 127.0.0.1 that records each request's JSON body and answers as `answer` says. */
async function server(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: any[] = []
  const s = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      received.push(JSON.parse(body))
      answer(req, res)
    })
  })
  servers.push(s)
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return {url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, received}
}

/** Waits on the wall clock, 5 times faster. */
const fastClock: NoticeClock = {
  now: () => Date.now() * 5,
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms / 5)
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), {once: true})
    }),
}

const SNS = 'arn:aws:sns:us-east-1:123456789012:releases'
const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/ops'

async function project(notify: string[]) {
  const dir = makeProject({extra: `    notify:\n${notify.map((d) => `      - ${d}\n`).join('')}`})
  const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
  const sim = SimAccount.open({clock: new VirtualClock(), seed: 3, targetGroups: {[TRAFFIC_SOURCE]: {}}, topics: [SNS], buses: [BUS]})
  return {ws, sim}
}

describe('notices', () => {
  it('reach a webhook, an SNS topic and an EventBridge bus; a slow, a failing and a silent webhook never hold the release up', async () => {
    const ok = await server((_req, res) => res.end('ok'))
    const slow = await server((_req, res) => setTimeout(() => res.end('ok'), 20))
    const failing = await server((_req, res) => ((res.statusCode = 500), res.end('down')))
    const silent = await server(() => undefined)
    const {ws, sim} = await project([`webhook: ${ok.url}`, `webhook: ${slow.url}`, `webhook: ${failing.url}`, `webhook: ${silent.url}`, `sns: ${SNS}`, `eventBridge: ${BUS}`])

    const began = Date.now()
    const result = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim, notices: {clock: fastClock, timing: {timeoutMs: 5_000, attempts: 3, backoffMs: 1_000, flushMs: 60_000}}})
    const tookMs = Date.now() - began

    expect(result.outcome).toBe('succeeded')
    // On time: the silent webhook costs at most 3 timeouts and 2 backoffs of the fast clock (about 3.5 s).
    expect(tookMs).toBeLessThan(10_000)
    // A timed-out attempt that arrived late is sent again (at least once): each notice arrived, in order.
    expect([...new Set(ok.received.map((b) => b.release.event))]).toEqual(['started', 'succeeded'])
    expect(ok.received.at(-1)).toMatchObject({
      text: expect.stringMatching(/^release web-1 \(web 1\.0\.0\) succeeded, run by .+@.+\. 1\.0\.0 is live on web/),
      release: {event: 'succeeded', target: 'web', environment: null, releaseId: 'web-1', version: '1.0.0', previousVersion: null, outcome: 'succeeded', by: expect.stringContaining('@')},
    })
    expect([...new Set(slow.received.map((b) => b.release.event))]).toEqual(['started', 'succeeded'])
    // Retried with backoff, then given up: three attempts per notice.
    expect(failing.received.map((b) => b.release.event).sort()).toEqual(['started', 'started', 'started', 'succeeded', 'succeeded', 'succeeded'])
    expect(silent.received.length).toBe(6)
    const warnings = (await new Journal(ws.store, ws.now).read('web-1')).filter((e) => e.message?.startsWith('warning:')).map((e) => e.message)
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/the started notice to webhook 127\.0\.0\.1:\d+ was given up: answered HTTP 500/),
        expect.stringMatching(/the succeeded notice to webhook 127\.0\.0\.1:\d+ was given up: no answer within 5s/),
      ]),
    )
    // Only the failing and the silent webhooks gave up, each for both notices.
    expect(warnings.filter((w) => !w!.includes(new URL(failing.url).port) && !w!.includes(new URL(silent.url).port))).toEqual([])

    const view = sim.view()
    expect(view.topics[0]!.received.map((r) => JSON.parse(r.body).event)).toEqual(['started', 'succeeded'])
    expect(view.topics[0]!.received[0]!.subject).toBe('release web-1 (web 1.0.0) started')
    expect(view.buses[0]!.received.map((r) => [r.detailType, JSON.parse(r.body).event])).toEqual([
      ['Release started', 'started'],
      ['Release succeeded', 'succeeded'],
    ])
  })
})
