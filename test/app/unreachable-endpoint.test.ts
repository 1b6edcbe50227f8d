/**
 * Real AWS clients pointed (by AWS_ENDPOINT_URL, as the SDK defines it) at an endpoint that does not
 * answer, or at a proxy answering an HTML error page. After the bounded retries (slept on a virtual
 * clock) the release stops before changing anything, exit 1, naming the endpoint and the next step;
 * never "a bug in release", never a raw parse error.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {UserError} from '../../src/errors.js'
import {RETRY_DEFAULTS} from '../../src/util/retry.js'
import {VirtualClock} from '../../src/util/clock.js'
import {makeProject} from '../fakes/workspace.js'

const ENV_KEYS = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']
let saved: Record<string, string | undefined> = {}
let servers: Server[] = []

beforeEach(() => {
  saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]))
  for (const key of ENV_KEYS) delete process.env[key]
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIATESTTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_REGION: 'us-east-1',
    // No profile of the machine running the tests is read.
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  })
})

afterEach(async () => {
  for (const key of ENV_KEYS) {
    if (saved[key] === undefined) delete process.env[key]
    else process.env[key] = saved[key]
  }
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))))
  servers = []
})

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{server: Server; port: number}> {
  const server = createServer(handler)
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  servers.push(server)
  return {server, port: (server.address() as AddressInfo).port}
}

/** A port on 127.0.0.1 where nothing listens: taken, then given back. */
async function closedPort(): Promise<number> {
  const {server, port} = await listen(() => {})
  await new Promise((done) => server.close(done))
  servers = servers.filter((s) => s !== server)
  return port
}

/** The immutable project of the app tests, on real AWS clients and a virtual clock. */
async function awsProject() {
  const dir = makeProject()
  const file = join(dir, 'release.yml')
  writeFileSync(file, readFileSync(file, 'utf8').replace('account: simulated', 'account: aws'))
  const ws = await openWorkspace({configPath: file, cwd: dir})
  const clock = new VirtualClock()
  return {ws, clock, wrapClock: () => clock}
}

describe('an endpoint that cannot be reached', () => {
  it('exit 1, the endpoint named with the next step, nothing recorded', async () => {
    const port = await closedPort()
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`
    const {ws, clock, wrapClock} = await awsProject()
    const started = clock.now()
    const refused = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {wrapClock}).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(UserError)
    expect(refused).toMatchObject({code: 'E_AWS_UNAVAILABLE', exitCode: 1})
    const {message, hint} = refused as UserError
    expect(message).toContain(`http://127.0.0.1:${port}`)
    expect(message).toMatch(/ECONNREFUSED/)
    expect(hint).toMatch(/nothing was changed/)
    expect(hint).toMatch(/AWS_ENDPOINT_URL/)
    expect(`${message} ${hint}`).not.toMatch(/bug/)
    // Retried with backoff on the injected clock, within a bound.
    expect(clock.now()).toBeGreaterThan(started)
    expect(clock.now() - started).toBeLessThan(2 * 60_000)
    expect((await ws.ledger.read('web')).releases).toEqual([])
  })
})

/** An incremental target over a fleet that real AWS would have. */
async function awsIncrementalProject() {
  const dir = mkdtempSync(join(tmpdir(), 'release-net-inc-'))
  const file = join(dir, 'release.yml')
  writeFileSync(
    file,
    `account: aws
targets:
  api:
    strategy: incremental
    fleet: {group: api-fleet}
    change:
      apply: ['release-sim set-version {{version}}']
`,
  )
  const ws = await openWorkspace({configPath: file, cwd: dir})
  const clock = new VirtualClock()
  return {ws, clock, wrapClock: () => clock}
}

describe('an endpoint that cannot be reached, for an incremental target', () => {
  it('exit 1, the endpoint named, nothing recorded', async () => {
    const port = await closedPort()
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`
    const {ws, wrapClock} = await awsIncrementalProject()
    const refused = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {wrapClock}).catch((error: unknown) => error)
    expect(refused).toMatchObject({code: 'E_AWS_UNAVAILABLE', exitCode: 1})
    expect((refused as UserError).message).toContain(`http://127.0.0.1:${port}`)
    expect((await ws.ledger.read('api')).releases).toEqual([])
  })
})

describe('an endpoint that answers something that is not AWS', () => {
  it('a proxy answering HTML 502: retried, then said to be no AWS answer, naming the endpoint and the status', async () => {
    let requests = 0
    const {port} = await listen((_request, response) => {
      requests++
      response.writeHead(502, {'content-type': 'text/html'})
      response.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>')
    })
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`
    const {ws, wrapClock} = await awsProject()
    const refused = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {wrapClock}).catch((error: unknown) => error)
    expect(refused).toMatchObject({code: 'E_NOT_AWS_ANSWER', exitCode: 1})
    const {message, hint} = refused as UserError
    expect(message).toContain(`http://127.0.0.1:${port}`)
    expect(message).toMatch(/HTTP 502 \(text\/html\), which is not an AWS answer/)
    expect(message).not.toMatch(/Deserialization error/)
    expect(hint).toMatch(/proxy/)
    // A 5xx from something in the way may pass: it was asked again, a bounded number of times.
    expect(requests).toBe(RETRY_DEFAULTS.transportRetries + 1)
    expect((await ws.ledger.read('web')).releases).toEqual([])
  })

  it('a proxy refusing with HTML 403: said at once, not retried', async () => {
    let requests = 0
    const {port} = await listen((_request, response) => {
      requests++
      response.writeHead(403, {'content-type': 'text/html; charset=utf-8'})
      response.end('<!DOCTYPE html><html><body><p>Access denied by corporate proxy<br></body></html>')
    })
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`
    const {ws, wrapClock} = await awsProject()
    const refused = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {wrapClock}).catch((error: unknown) => error)
    expect(refused).toMatchObject({code: 'E_NOT_AWS_ANSWER', exitCode: 1})
    expect((refused as UserError).message).toMatch(/HTTP 403 \(text\/html\), which is not an AWS answer/)
    expect(requests).toBe(1)
  })
})
