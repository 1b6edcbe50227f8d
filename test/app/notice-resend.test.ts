/**
 * Notices across a crash, against real HTTP servers on 127.0.0.1: a delivery cut off by the crash is
 * sent again on resume with the same notice id; a confirmed one is never sent twice, even when the
 * destination list was reordered in between (destinations are known by their URL, not their place).
 */
import {mkdtempSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {Notifier, wallClock} from '../../src/app/notices/notifier.js'
import {postWebhook} from '../../src/app/notices/webhook.js'
import type {Notice} from '../../src/ports/notices.js'
import type {StateStore} from '../../src/ports/store.js'
import {FileStateStore} from '../../src/store/file.js'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((resolve) => s.close(resolve))
  }
})

/** A server that records each JSON body; `hold` keeps the answer back (the crash comes first). */
async function hook(hold: boolean) {
  const received: any[] = []
  let arrived: () => void = () => undefined
  const first = new Promise<void>((resolve) => (arrived = resolve))
  const s = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      received.push(JSON.parse(body))
      arrived()
      if (!hold) res.end('ok')
    })
  })
  servers.push(s)
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return {url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, received, first}
}

const notice: Notice = {
  event: 'started', target: 'web', environment: null, releaseId: 'web-7', version: '2.0.0', previousVersion: '1.0.0',
  outcome: 'inProgress', message: 'web-7 started', by: 'me@host', at: '2026-01-01T00:00:00.000Z',
}

/**
 * A process's view of the state: once it is gone (`lose()`: a crash, or the process's end), nothing it
 * still had under way (a request to the silent hook, cut off when the servers close) writes any more.
 */
function losable(store: StateStore): {store: StateStore; lose: () => void} {
  let lost = false
  const writes = new Set<PropertyKey>(['append', 'appendIfAlone', 'writeAtomic', 'compareAndSet', 'createExclusive', 'remove'])
  const view = new Proxy(store, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target)
      if (typeof value !== 'function') return value
      const call = (...args: unknown[]): unknown => (value as (...a: unknown[]) => unknown).apply(target, args)
      return writes.has(name) ? (...args: unknown[]) => (lost ? Promise.resolve() : call(...args)) : call
    },
  })
  return {store: view, lose: () => (lost = true)}
}

function notifier(store: StateStore, urls: string[]) {
  return new Notifier({
    store,
    now: () => 0,
    releaseId: 'web-7',
    destinations: urls.map((webhook) => ({webhook})),
    deliver: (d, n, signal) => postWebhook((d as {webhook: string}).webhook, n, signal),
    clock: wallClock,
    timing: {timeoutMs: 60_000, attempts: 1, flushMs: 500},
  })
}

describe('notices across a crash', () => {
  it('a delivery cut off is sent again with the same id; a confirmed one is not, whatever the list order', async () => {
    const store = new FileStateStore(mkdtempSync(join(tmpdir(), 'release-notices-')))
    const answers = await hook(false)
    const silent = await hook(true)
    // First process: the answering hook confirms; the silent one has the notice, no answer yet, when
    // the process is lost (this notifier is dropped without a flush).
    const first = losable(store)
    const before = notifier(first.store, [answers.url, silent.url])
    await before.notify('started', notice)
    await Promise.all([answers.first, silent.first])
    // Until the answering hook's confirmation is recorded, however long a loaded machine takes (no deadline of our own).
    while (!(await store.read('releases/web-7/notices.ndjson'))?.includes('"sent"')) await new Promise((r) => setTimeout(r, 20))
    first.lose()

    // The resumed process, with the list reordered.
    const second = losable(store)
    const after = notifier(second.store, [silent.url, answers.url])
    await after.notify('started', notice)
    await after.flush()
    // The resumed process ends here: the delivery it gave up writes nothing once the servers close.
    second.lose()
    expect(answers.received).toHaveLength(1)
    expect(silent.received).toHaveLength(2)
    expect(silent.received[0].release.id).toBe('web-7:started')
    expect(silent.received[1].release.id).toBe(silent.received[0].release.id)
    expect(answers.received[0].release.id).toBe('web-7:started')
  })
})
