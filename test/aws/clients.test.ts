import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {DescribeStacksCommand} from '@aws-sdk/client-cloudformation'
import {DescribeInstanceInformationCommand} from '@aws-sdk/client-ssm'
import {createAwsClients} from '../../src/aws/index.js'
import {tempDir} from '../fakes/temp.js'

interface Received {
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/** An HTTP server on 127.0.0.1 that records every request and answers each with a 400 error. */
async function recordingServer(): Promise<{server: Server; url: string; received: Received[]}> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      received.push({url: req.url ?? '', headers: req.headers, body})
      res.writeHead(400, {'content-type': 'text/plain'}).end('recorded')
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const {port} = server.address() as AddressInfo
  return {server, url: `http://127.0.0.1:${port}`, received}
}

let server: Server | undefined

beforeEach(() => {
  // The SDK's chain reads these: point it at files of this test, never the user's profile.
  const empty = tempDir('release-aws-config-')
  vi.stubEnv('AWS_CONFIG_FILE', join(empty, 'config'))
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(empty, 'credentials'))
  vi.stubEnv('AWS_PROFILE', undefined)
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST')
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret')
  vi.stubEnv('AWS_SESSION_TOKEN', undefined)
  vi.stubEnv('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', undefined)
  vi.stubEnv('AWS_ENDPOINT_URL_CLOUDFORMATION', undefined)
  vi.stubEnv('AWS_ENDPOINT_URL_SSM', undefined)
})
afterEach(async () => {
  vi.unstubAllEnvs()
  await new Promise((done) => (server ? server.close(done) : done(undefined)))
  server = undefined
})

describe('createAwsClients', () => {
  it('turns the SDK retries off (withRetry retries on our clock) and keeps region and endpoint', async () => {
    const clients = createAwsClients({region: 'eu-west-1', endpoint: 'http://localhost:4566'})
    for (const client of [clients.cloudFormation, clients.autoScaling, clients.ssm]) {
      expect(await client.config.maxAttempts()).toBe(1)
      expect(await client.config.region()).toBe('eu-west-1')
      const endpoint = await client.config.endpoint?.()
      expect(endpoint?.hostname).toBe('localhost')
      expect(endpoint?.port).toBe(4566)
    }
  })

  it('sends every call to AWS_ENDPOINT_URL when no endpoint is given, once each (no SDK retries)', async () => {
    const recording = await recordingServer()
    server = recording.server
    vi.stubEnv('AWS_ENDPOINT_URL', recording.url)
    const clients = createAwsClients({region: 'eu-west-1'})

    await expect(clients.cloudFormation.send(new DescribeStacksCommand({StackName: 'release-web-1'}))).rejects.toThrow()
    await expect(clients.ssm.send(new DescribeInstanceInformationCommand({}))).rejects.toThrow()

    expect(recording.received).toHaveLength(2)
    const [cloudFormation, ssm] = recording.received
    expect(cloudFormation!.body + cloudFormation!.headers['x-amz-target']).toMatch(/DescribeStacks/)
    expect(cloudFormation!.headers.authorization).toMatch(/Credential=AKIDTEST\/\d+\/eu-west-1\/cloudformation\//)
    expect(ssm!.headers['x-amz-target']).toMatch(/DescribeInstanceInformation/)
  })

  it('prefers an endpoint given in release.yml to AWS_ENDPOINT_URL', async () => {
    const recording = await recordingServer()
    server = recording.server
    const other = await recordingServer()
    try {
      vi.stubEnv('AWS_ENDPOINT_URL', other.url)
      const clients = createAwsClients({region: 'eu-west-1', endpoint: recording.url})
      await expect(clients.cloudFormation.send(new DescribeStacksCommand({}))).rejects.toThrow()
      expect(recording.received).toHaveLength(1)
      expect(other.received).toHaveLength(0)
    } finally {
      await new Promise((done) => other.server.close(done))
    }
  })
})
