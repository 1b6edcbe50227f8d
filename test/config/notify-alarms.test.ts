import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ConfigError, loadConfig} from '../../src/config/index.js'
import {forEnvironment} from '../../src/config/environments.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef'
const TEMPLATE = `Parameters:
  Version:
    Type: String
Resources:
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: '1', MaxSize: '2'}
`
const yml = (top: string, onTarget: string) => `${top}targets:
  web:
    strategy: immutable
    template: web.yml
    trafficSources: ['${ARN}']
${onTarget}`

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-notify-'))
  await writeFile(path.join(dir, 'web.yml'), TEMPLATE)
})
afterEach(() => rm(dir, {recursive: true, force: true}))

async function load(text: string) {
  await writeFile(path.join(dir, 'release.yml'), text)
  return loadConfig(undefined, {cwd: dir})
}

async function refused(text: string): Promise<ConfigError> {
  const error = await load(text).then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  expect((error as ConfigError).exitCode).toBe(2)
  return error as ConfigError
}

describe('notify: and alarms: in release.yml', () => {
  it('takes the top-level destinations for every target, then the target own, and its alarms', async () => {
    const config = await load(
      yml(
        'notify:\n  - webhook: https://hooks.slack.com/services/T000/B000/XXXX\n',
        '    alarms: [web-5xx, web-latency]\n    notify:\n      - sns: arn:aws:sns:us-east-1:123456789012:releases\n      - eventBridge: arn:aws:events:us-east-1:123456789012:event-bus/ops\n',
      ),
    )
    expect(config.targets.web).toMatchObject({
      alarms: ['web-5xx', 'web-latency'],
      notify: [
        {webhook: 'https://hooks.slack.com/services/T000/B000/XXXX'},
        {sns: 'arn:aws:sns:us-east-1:123456789012:releases'},
        {eventBridge: 'arn:aws:events:us-east-1:123456789012:event-bus/ops'},
      ],
    })
  })

  it.each([
    ['a webhook that is not http(s)', 'notify:\n  - webhook: ftp://example.com/hook\n', '', /is not an http\(s\) URL/],
    ['a malformed SNS topic ARN', '', '    notify:\n      - sns: arn:aws:sqs:us-east-1:123456789012:q\n', /is not an SNS topic ARN/],
    ['a malformed EventBridge bus ARN', '', '    notify:\n      - eventBridge: arn:aws:events:us-east-1:123456789012:rule/x\n', /is not an EventBridge event bus ARN/],
    ['an entry with no destination', 'notify:\n  - {}\n', '', /has no destination/],
    ['an entry with two destinations', 'notify:\n  - {webhook: "https://a.example/h", sns: "arn:aws:sns:us-east-1:123456789012:t"}\n', '', /one destination an entry/],
    ['an alarm listed twice', '', '    alarms: [a, a]\n', /listed twice/],
  ])('refuses %s (exit 2)', async (_what, top, onTarget, message) => {
    const error = await refused(yml(top, onTarget))
    expect(error.message).toMatch(message)
  })
})

const TOP_HOOK = {webhook: 'https://hooks.example.com/all-releases'}
const WEB_TOPIC = {sns: 'arn:aws:sns:us-east-1:123456789012:web-team'}
const PROD_HOOK = {webhook: 'https://hooks.example.com/prod'}
const PROD_WEB_BUS = {eventBridge: 'arn:aws:events:us-east-1:123456789012:event-bus/prod-web'}

/** Three environments: dev quiet, staging as the top level, prod with its own channel and alarms. */
const ENVIRONMENTS = `notify:
  - webhook: ${TOP_HOOK.webhook}
environments:
  dev:
    notify: []
  staging:
    default: true
    targets:
      web: {alarms: [staging-web-5xx]}
  prod:
    alarms: [prod-error-budget]
    notify:
      - webhook: ${PROD_HOOK.webhook}
    targets:
      web:
        alarms: [prod-web-5xx, web-latency]
        notify:
          - eventBridge: ${PROD_WEB_BUS.eventBridge}
`

describe('alarms: and notify: per environment', () => {
  it('alarms add up (target, environment, environment for the target); an environment notify replaces the top-level one, the target own is added', async () => {
    const config = await load(ENVIRONMENTS + yml('', `    alarms: [web-latency]\n    notify:\n      - sns: ${WEB_TOPIC.sns}\n`))
    // Without --env narrowing, the target is as written with the top-level list first.
    expect(config.targets.web).toMatchObject({alarms: ['web-latency'], notify: [TOP_HOOK, WEB_TOPIC]})

    const dev = forEnvironment(config, 'dev').targets.web!
    expect(dev.alarms).toEqual(['web-latency'])
    expect(dev.notify).toEqual([WEB_TOPIC])

    const staging = forEnvironment(config, 'staging').targets.web!
    expect(staging.alarms).toEqual(['web-latency', 'staging-web-5xx'])
    expect(staging.notify).toEqual([TOP_HOOK, WEB_TOPIC])

    const prod = forEnvironment(config, 'prod').targets.web!
    // web-latency is named twice (target and prod's web): it is watched once.
    expect(prod.alarms).toEqual(['web-latency', 'prod-error-budget', 'prod-web-5xx'])
    expect(prod.notify).toEqual([PROD_HOOK, WEB_TOPIC, PROD_WEB_BUS])
  })

  it.each([
    ['a bad environment webhook', 'environments:\n  prod:\n    notify:\n      - webhook: ftp://example.com/hook\n', /environments\.prod\.notify.*is not an http\(s\) URL/s],
    ['a bad environment-target SNS ARN', 'environments:\n  prod:\n    targets:\n      web:\n        notify:\n          - sns: arn:aws:sqs:us-east-1:123456789012:q\n', /is not an SNS topic ARN/],
    ['an environment notify entry with no destination', 'environments:\n  prod:\n    notify:\n      - {}\n', /has no destination/],
    ['an environment alarm listed twice', 'environments:\n  prod:\n    alarms: [a, a]\n', /listed twice/],
    ['a bad environment-target alarm name', 'environments:\n  prod:\n    targets:\n      web: {alarms: ["bad\\u0001name"]}\n', /is not a CloudWatch alarm name/],
  ])('refuses %s (exit 2)', async (_what, envs, message) => {
    const error = await refused(envs + yml('', ''))
    expect(`${error.message}\n${error.hint}`).toMatch(message)
  })
})
