/** simulated.targetGroups: a demo's target groups drain and check faster than AWS's defaults. */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {openSimAccount} from '../../src/app/account.js'
import {ConfigError, loadConfig} from '../../src/config/index.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/3f1c5e0b9a7d2c41'

const yml = (settings: string) => `simulated:
  speed: instant
  fleets:
    api-fleet: {instances: 2, version: 1.0.0, trafficSources: ['${ARN}']}
  targetGroups:
    '${ARN}': ${settings}
targets:
  api:
    strategy: incremental
    fleet: {group: api-fleet}
    change: {apply: ['release-sim set-version {{version}}']}
`

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-sim-tg-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('simulated.targetGroups', () => {
  it('creates the target group with the deregistration delay and health check given', async () => {
    await writeFile(path.join(dir, 'release.yml'), yml('{deregistrationDelaySeconds: 20, intervalSeconds: 10, healthyThreshold: 2}'))
    const sim = await openSimAccount(await loadConfig(undefined, {cwd: dir}))
    const attributes = await sim.handle('elbv2', 'DescribeTargetGroupAttributes', {TargetGroupArn: ARN})
    expect(attributes.Attributes).toContainEqual({Key: 'deregistration_delay.timeout_seconds', Value: '20'})
    const groups = await sim.handle('elbv2', 'DescribeTargetGroups', {TargetGroupArns: [ARN]})
    expect(groups.TargetGroups[0]).toMatchObject({HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2})
  })

  it('refuses a deregistration delay AWS would not take, with the range', async () => {
    await writeFile(path.join(dir, 'release.yml'), yml('{deregistrationDelaySeconds: 4000}'))
    const error = await loadConfig(undefined, {cwd: dir}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).exitCode).toBe(2)
    expect((error as ConfigError).message).toMatch(/deregistrationDelaySeconds.*3600/)
  })
})
