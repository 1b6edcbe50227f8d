/**
 * Errors of the machine and the account around `release` say what happened and what to do next
 * (issue 17.4): permissions, a read-only or full disk, AWS credentials that are missing, expired or
 * unknown, a refused connection. None is "a bug in release", and an error in planning is not
 * relabelled "fix the template".
 */
import {createServer, type Server} from 'node:http'
import {connect} from 'node:net'
import * as fs from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {explainError} from '../../src/app/explain-error.js'
import {rollout} from '../../src/app/release.js'
import {Ledger} from '../../src/engine/ledger.js'
import {UserError} from '../../src/errors.js'
import {FileStateStore} from '../../src/store/file.js'
import type {FileSystem} from '../../src/util/state-file.js'
import {openProject} from '../fakes/workspace.js'

/** An error shaped as Node's fs throws it. */
function fsError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: refused, ${syscall} '${path}'`), {errno: -1, code, syscall, path})
}

/** A project whose state store's file system refuses with `code` once `refusing.on` is set. */
async function refusingProject(code: string) {
  const project = await openProject({capacity: 2})
  const refusing = {on: false}
  const guarded = <K extends keyof FileSystem>(name: K, syscall: string) =>
    ((...args: unknown[]) => {
      if (refusing.on) throw fsError(code, syscall, typeof args[0] === 'string' ? args[0] : join(project.ws.config.stateDir, 'targets'))
      return (fs[name] as (...a: unknown[]) => unknown)(...args)
    }) as FileSystem[K]
  const diskFs = {...fs, openSync: guarded('openSync', 'open'), mkdirSync: guarded('mkdirSync', 'mkdir')} as FileSystem
  const store = new FileStateStore(project.ws.config.stateDir, {fs: diskFs})
  return {...project, ws: {...project.ws, store, ledger: new Ledger(store, project.ws.now)}, refusing}
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the command to fail'),
    (error: unknown) => error,
  )
}

describe('file system refusals on the state directory', () => {
  for (const [code, expected, hint] of [
    ['EACCES', 'E_PERMISSION', /read and write access to .*stateDir/],
    ['EPERM', 'E_PERMISSION', /read and write access to .*stateDir/],
    ['EROFS', 'E_READ_ONLY_FS', /writable disk/],
    ['ENOSPC', 'E_STATE_WRITE', /Free space/],
  ] as const) {
    it(`${code}: ${expected}, naming the file and the next step, exit 1`, async () => {
      const {ws, sim, refusing} = await refusingProject(code)
      refusing.on = true
      const raw = await failure(rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim}))
      const explained = raw instanceof UserError ? raw : explainError(raw)
      expect(explained).toMatchObject({code: expected, exitCode: 1})
      expect(explained!.message).toContain(ws.config.stateDir)
      expect(explained!.hint).toMatch(hint)
      expect(`${explained!.message} ${explained!.hint}`).not.toMatch(/bug/)
    })
  }

  it('knows the credential errors of the JSON services too (SSM: UnrecognizedClientException, ExpiredTokenException)', () => {
    for (const name of ['UnrecognizedClientException', 'ExpiredTokenException']) {
      const error = Object.assign(new Error('The security token included in the request is invalid.'), {name, $fault: 'client'})
      expect(explainError(error)).toMatchObject({code: 'E_AWS_CREDENTIALS', exitCode: 2})
    }
  })

  it('leaves errors it does not know alone (they are bugs)', () => {
    expect(explainError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBeUndefined()
  })
})

describe('a refused connection', () => {
  it('is E_AWS_UNAVAILABLE, exit 1, saying the command may have stopped midway and where to look', async () => {
    // A port nothing listens on: bind one, close it, connect to it.
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as {port: number}
    await new Promise((resolve) => server.close(resolve))
    const refused = await new Promise<Error>((resolve) => connect(port, '127.0.0.1').on('error', resolve))
    expect(explainError(refused)).toMatchObject({code: 'E_AWS_UNAVAILABLE', exitCode: 1})
    // It reached the CLI's handler from anywhere in a command, so it cannot claim nothing changed.
    expect(explainError(refused)?.hint).toMatch(/may have stopped midway: see release status/)
  })
})

describe('AWS credentials', () => {
  let server: Server | undefined
  // The variables a test set, with their values before it, put back one by one. Never a new object
  // for process.env: os.tmpdir() and child processes read the real environment, which a plain object
  // no longer reaches (the next test file in the worker would get this one's removed TMPDIR).
  const saved = new Map<string, string | undefined>()
  afterEach(async () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    saved.clear()
    if (server) await new Promise((resolve) => server!.close(resolve))
    server = undefined
  })

  /** An AWS endpoint on 127.0.0.1 that refuses every call as AWS does for such credentials. */
  async function refusingEndpoint(status: number, code: string, message: string): Promise<string> {
    server = createServer((request, response) => {
      request.resume()
      request.on('end', () => {
        response.writeHead(status, {'content-type': 'text/xml', 'x-amzn-requestid': 'test'})
        response.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>test</RequestId></ErrorResponse>`)
      })
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as {port: number}).port}`
  }

  async function awsProject(env: Record<string, string | undefined>) {
    const project = await openProject({capacity: 2})
    project.ws.config.account = 'aws'
    for (const [key, value] of Object.entries(env)) {
      if (!saved.has(key)) saved.set(key, process.env[key])
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    return project
  }

  for (const [code, expected, what] of [
    ['ExpiredToken', 'E_AWS_CREDENTIALS', /AWS credentials have expired.*ExpiredToken/],
    ['InvalidClientTokenId', 'E_AWS_CREDENTIALS', /AWS does not recognize these credentials/],
    ['AccessDenied', 'E_AWS_ACCESS_DENIED', /lack of permission \(AccessDenied: /],
  ] as const) {
    it(`${code} from the account: ${expected} (exit 2), not a template problem; nothing recorded`, async () => {
      const endpoint = await refusingEndpoint(403, code, 'refused for this test')
      const {ws} = await awsProject({AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token'})
      const error = await failure(rollout(ws, {target: 'web', version: '1.0.0'}))
      expect(error).toMatchObject({code: expected, exitCode: 2})
      expect((error as Error).message).toMatch(what)
      expect((error as UserError).hint).toMatch(/run the same command again/)
      expect((await ws.ledger.read('web')).releases).toEqual([])
    })
  }

  it('none at all: E_AWS_CREDENTIALS naming the ways to provide them', async () => {
    // Files that do not exist: no profile, no shared credentials.
    const nowhere = '/nonexistent/release-test/aws'
    const {ws} = await awsProject({
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_SHARED_CREDENTIALS_FILE: nowhere,
      AWS_CONFIG_FILE: nowhere,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      AWS_ENDPOINT_URL: await refusingEndpoint(500, 'InternalFailure', 'should not be called'),
    })
    const error = await failure(rollout(ws, {target: 'web', version: '1.0.0'}))
    expect(error).toMatchObject({code: 'E_AWS_CREDENTIALS', exitCode: 2})
    expect((error as UserError).hint).toMatch(/AWS_PROFILE.*account: simulated/)
  })
})
