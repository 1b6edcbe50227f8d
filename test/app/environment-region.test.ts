/**
 * An environment's region reaches the AWS clients: a request of each environment is signed for its
 * own region (the SigV4 credential scope), read by a real HTTP server on 127.0.0.1 standing in for AWS.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {openAccount} from '../../src/app/account.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {makeProject} from '../fakes/workspace.js'

const ENV_KEYS = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']
let saved: Record<string, string | undefined> = {}
let server: Server | undefined

beforeEach(() => {
  saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]))
  for (const key of ENV_KEYS) delete process.env[key]
  Object.assign(process.env, {AWS_ACCESS_KEY_ID: 'AKIATESTTESTTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials'})
})

afterEach(async () => {
  for (const key of ENV_KEYS) {
    if (saved[key] === undefined) delete process.env[key]
    else process.env[key] = saved[key]
  }
  if (server) await new Promise((done) => server!.close(done))
  server = undefined
})

const EMPTY_DESCRIBE = `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks/></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`

describe('the region of an environment', () => {
  it('signs each environment\'s requests for its own region', async () => {
    const scopes: string[] = []
    server = createServer((req, res) => {
      const scope = /Credential=[^/]+\/\d+\/([^/]+)\/([^/]+)\//.exec(String(req.headers.authorization))
      scopes.push(scope ? `${scope[1]}/${scope[2]}` : 'unsigned')
      req.resume()
      req.on('end', () => {
        res.writeHead(200, {'content-type': 'text/xml'})
        res.end(EMPTY_DESCRIBE)
      })
    })
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done))
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

    const dir = makeProject()
    const file = join(dir, 'release.yml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('account: simulated', 'account: aws') + `environments:\n  prod: {default: true}\n  dr: {region: eu-west-3}\n`)
    for (const [env, region] of [['prod', 'us-east-1'], ['dr', 'eu-west-3']] as const) {
      const ws = await openWorkspace({configPath: file, cwd: dir, env})
      expect(ws.config.region).toBe(region)
      const account = await openAccount(ws.config)
      await account.stacks.listStacks().catch(() => undefined)
    }
    expect(scopes[0]).toBe('us-east-1/cloudformation')
    expect(scopes.at(-1)).toBe('eu-west-3/cloudformation')
  })
})
