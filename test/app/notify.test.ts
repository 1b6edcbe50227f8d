/**
 * Notices to real HTTP servers on 127.0.0.1 (one that answers, a slow one, one that answers 500, one
 * that never answers) and to the simulated account's SNS topic and EventBridge bus. Delivery timeouts
 * and backoff run on an injected clock that the test drives: no wall-clock time decides an outcome.
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
  const hooks: {onRequest?: (body: any) => void} = {}
  const s = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      received.push(JSON.parse(body))
      hooks.onRequest?.(received.at(-1))
      answer(req, res)
    })
  })
  servers.push(s)
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return Object.assign(hooks, {url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, received})
}

/** Three attempts per notice; the times only name the warnings (the clock decides when a wait ends). */
const TIMING = {timeoutMs: 5_000, attempts: 3, backoffMs: 1_000, flushMs: 60_000}

/**
 * The notice clock of these tests: nothing waits on the wall clock, so a loaded machine changes nothing.
 * A backoff is over at once. An attempt's timeout is over only once `expire()` was called, until then
 * it lasts as long as its attempt; the end's wait for deliveries under way never runs out.
 */
function noticeClock() {
  let expired = false
  const waiting = new Set<() => void>()
  const clock: NoticeClock = {
    now: () => 0,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (!signal) return void setImmediate(resolve)
        if (expired && ms === TIMING.timeoutMs) return void setImmediate(resolve)
        if (ms === TIMING.timeoutMs) waiting.add(resolve)
        signal.addEventListener('abort', () => (waiting.delete(resolve), resolve()), {once: true})
      }),
  }
  return {
    clock,
    /** From now on every attempt's timeout is over: those waiting now and those to come. */
    expire() {
      expired = true
      for (const resolve of waiting) setImmediate(resolve)
      waiting.clear()
    },
  }
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
  it('reach a webhook, an SNS topic and an EventBridge bus; a slow one arrives, a failing one is tried three times then given up', async () => {
    const ok = await server((_req, res) => res.end('ok'))
    const slow = await server((_req, res) => setTimeout(() => res.end('ok'), 20))
    const failing = await server((_req, res) => ((res.statusCode = 500), res.end('down')))
    const {ws, sim} = await project([`webhook: ${ok.url}`, `webhook: ${slow.url}`, `webhook: ${failing.url}`, `sns: ${SNS}`, `eventBridge: ${BUS}`])

    // No timeout ever expires here: every answer counts, however late the machine gives it.
    const result = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim, notices: {clock: noticeClock().clock, timing: TIMING}})

    expect(result.outcome).toBe('succeeded')
    expect(ok.received.map((b) => b.release.event)).toEqual(['started', 'succeeded'])
    expect(ok.received.at(-1)).toMatchObject({
      text: expect.stringMatching(/^release web-1 \(web 1\.0\.0\) succeeded, run by .+@.+\. 1\.0\.0 is live on web/),
      release: {event: 'succeeded', target: 'web', environment: null, releaseId: 'web-1', version: '1.0.0', previousVersion: null, outcome: 'succeeded', by: expect.stringContaining('@')},
    })
    expect(slow.received.map((b) => b.release.event)).toEqual(['started', 'succeeded'])
    // Retried with backoff, then given up: three attempts per notice.
    expect(failing.received.map((b) => b.release.event).sort()).toEqual(['started', 'started', 'started', 'succeeded', 'succeeded', 'succeeded'])
    const warnings = (await new Journal(ws.store, ws.now).read('web-1')).filter((e) => e.message?.startsWith('warning:')).map((e) => e.message)
    expect(warnings.sort()).toEqual([
      expect.stringMatching(new RegExp(`the started notice to webhook 127\\.0\\.0\\.1:${new URL(failing.url).port} was given up: answered HTTP 500`)),
      expect.stringMatching(new RegExp(`the succeeded notice to webhook 127\\.0\\.0\\.1:${new URL(failing.url).port} was given up: answered HTTP 500`)),
    ])

    const view = sim.view()
    expect(view.topics[0]!.received.map((r) => JSON.parse(r.body).event)).toEqual(['started', 'succeeded'])
    expect(view.topics[0]!.received[0]!.subject).toBe('release web-1 (web 1.0.0) started')
    expect(view.buses[0]!.received.map((r) => [r.detailType, JSON.parse(r.body).event])).toEqual([
      ['Release started', 'started'],
      ['Release succeeded', 'succeeded'],
    ])
  })

  it('a webhook that never answers never holds the release up: its started notice still waits when the release ends; each notice is given up', async () => {
    const silent = await server(() => undefined)
    const {ws, sim} = await project([`webhook: ${silent.url}`])
    const {clock, expire} = noticeClock()
    // The timeouts of the silent webhook expire only once it holds the succeeded notice: had the
    // release waited for the started one, it would never have got there (the test would time out).
    silent.onRequest = (body) => {
      if (body.release.event === 'succeeded') expire()
    }

    const result = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim, notices: {clock, timing: TIMING}})

    expect(result.outcome).toBe('succeeded')
    // The first attempt of each arrived (later ones may be cut off by their expired timeout first).
    expect(silent.received.slice(0, 2).map((b) => b.release.event)).toEqual(['started', 'succeeded'])
    const warnings = (await new Journal(ws.store, ws.now).read('web-1')).filter((e) => e.message?.startsWith('warning:')).map((e) => e.message)
    expect(warnings.sort()).toEqual([
      expect.stringMatching(/the started notice to webhook 127\.0\.0\.1:\d+ was given up: no answer within 5s/),
      expect.stringMatching(/the succeeded notice to webhook 127\.0\.0\.1:\d+ was given up: no answer within 5s/),
    ])
  })
})
