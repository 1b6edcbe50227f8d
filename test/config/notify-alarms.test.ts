import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ConfigError, loadConfig} from '../../src/config/index.js'

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
