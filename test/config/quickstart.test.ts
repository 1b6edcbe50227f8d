import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadConfig} from '../../src/config/index.js'

const ROOT = path.resolve(import.meta.dirname, '../..')

describe('examples/quickstart/release.yml', () => {
  it('loads with web immutable, api incremental and db chosen incremental by auto', async () => {
    const config = await loadConfig('examples/quickstart/release.yml', {cwd: ROOT})
    expect(Object.keys(config.targets)).toEqual(['web', 'api', 'db'])

    const {web, api, db} = config.targets
    expect(web!.strategy).toBe('immutable')
    expect(web!.choice).toEqual({declared: 'immutable', strategy: 'immutable', reason: 'declared in release.yml', durable: []})

    if (api?.strategy !== 'incremental') throw new Error('api is incremental')
    expect(api.fleet).toEqual({group: 'api-fleet'})
    expect(api.change).toEqual({
      document: 'AWS-RunShellScript',
      apply: ['release-sim set-version {{version}}'],
      verify: ['release-sim check'],
      current: ['release-sim get-version'],
      parameters: {},
    })
    expect(api.maxUnavailable).toEqual({percent: 25})
    expect(api.canary).toBe(1)
    expect(api.maxErrors).toEqual({count: 0})
    expect(api.bakeMs).toBe(30_000)
    expect(api.choice.declared).toBe('incremental')

    if (db?.strategy !== 'incremental') throw new Error('db resolves to incremental')
    expect(db.choice.declared).toBe('auto')
    expect(db.choice.durable).toEqual([
      {logicalId: 'Database', type: 'AWS::RDS::DBInstance', why: 'type AWS::RDS::DBInstance holds data; DeletionPolicy Snapshot'},
    ])
    expect(db.choice.reason).toMatch(/Database/)
    expect(db.fleet).toEqual({group: 'db-fleet'})
    expect(db.maxUnavailable).toEqual({count: 1})
    expect(db.templatePath).toBe(path.join(ROOT, 'examples/quickstart/db.yml'))

    expect(config.simulated.fleets).toEqual({
      'api-fleet': {
        instances: 12,
        version: '1.0.0',
        trafficSources: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/3f1c5e0b9a7d2c41'],
      },
      'db-fleet': {instances: 3, version: '1.0.0', trafficSources: [], min: 3},
      // staging's own fleets
      'api-fleet-staging': {instances: 4, version: '1.0.0', trafficSources: []},
      'db-fleet-staging': {instances: 1, version: '1.0.0', trafficSources: []},
    })
    expect(Object.keys(config.environments ?? {})).toEqual(['staging', 'prod'])
    expect(config.environments?.prod).toMatchObject({protected: true, default: true})
    expect(config.ephemeral?.targets.web?.parameters).toEqual({DesiredCapacity: '1', InstanceType: 't3.micro'})
  })
})
