/** `state:` and `simulated.dir` in release.yml: the backend, its table, and a shared simulated account. */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ConfigError, loadConfig} from '../../src/config/index.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef'
const TEMPLATE = `Parameters:
  Version: {Type: String}
Resources:
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: '1', MaxSize: '2'}
`
const TARGETS = `targets:
  web:
    strategy: immutable
    template: web.yml
    trafficSources: ['${ARN}']
`

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-state-config-'))
  await writeFile(path.join(dir, 'web.yml'), TEMPLATE)
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

async function load(head: string) {
  await writeFile(path.join(dir, 'release.yml'), head + TARGETS)
  return loadConfig(undefined, {cwd: dir})
}

async function refusal(head: string): Promise<ConfigError> {
  const error = await load(head).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ConfigError)
  expect((error as ConfigError).exitCode).toBe(2)
  return error as ConfigError
}

describe('state in release.yml', () => {
  it('is the file backend by default; simulated.dir defaults to <stateDir>/sim', async () => {
    const config = await load('stateDir: st\n')
    expect(config.state).toEqual({backend: 'file'})
    expect(config.simulated.dir).toBe(path.join(dir, 'st', 'sim'))
  })

  it('dynamodb: table, region defaulting to the top-level one, endpoint; simulated.dir relative to release.yml', async () => {
    const config = await load(`region: eu-west-3\nstate: {backend: dynamodb, table: release-state, endpoint: 'http://127.0.0.1:4567'}\nsimulated: {dir: ../shared-sim}\n`)
    expect(config.state).toEqual({backend: 'dynamodb', table: 'release-state', region: 'eu-west-3', endpoint: 'http://127.0.0.1:4567'})
    expect(config.simulated.dir).toBe(path.resolve(dir, '../shared-sim'))
    const other = await load(`state: {backend: dynamodb, table: t-1, region: us-west-2}\n`)
    expect(other.state).toEqual({backend: 'dynamodb', table: 't-1', region: 'us-west-2'})
  })

  it('refuses an unknown backend, naming the ones there are', async () => {
    const error = await refusal('state: {backend: dynamo, table: x-y-z}\n')
    expect(error.message).toMatch(/state\.backend/)
    expect(error.message).toMatch(/one of file, dynamodb/)
    expect(error.hint).toMatch(/dynamodb/)
  })

  it('refuses dynamodb without a table, and a table name DynamoDB would refuse', async () => {
    const missing = await refusal('state: {backend: dynamodb}\n')
    expect(missing.message).toMatch(/missing table/)
    const bad = await refusal('state: {backend: dynamodb, table: "a b"}\n')
    expect(bad.message).toMatch(/DynamoDB table name/)
    const endpoint = await refusal('state: {backend: dynamodb, table: abc, endpoint: localhost:4567}\n')
    expect(endpoint.message).toMatch(/http:\/\//)
  })
})
