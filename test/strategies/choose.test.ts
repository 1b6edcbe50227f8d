import {describe, expect, it} from 'vitest'
import {chooseStrategy} from '../../strategies/choose.js'

describe('chooseStrategy', () => {
  it('releases a stateless fleet red/black', () => {
    const verdict = chooseStrategy({
      LaunchTemplate: {Type: 'AWS::EC2::LaunchTemplate'},
      Group: {Type: 'AWS::AutoScaling::AutoScalingGroup', DeletionPolicy: 'Delete'},
    })
    expect(verdict).toEqual({strategy: 'immutable', reason: 'no durable resources: stateless fleet, released red/black', durable: []})
    expect(chooseStrategy({}).strategy).toBe('immutable')
  })

  it('changes a template holding data in place, naming what holds it', () => {
    const verdict = chooseStrategy({
      Group: {Type: 'AWS::AutoScaling::AutoScalingGroup'},
      Database: {Type: 'AWS::RDS::DBInstance'},
    })
    expect(verdict.strategy).toBe('incremental')
    expect(verdict.durable).toEqual([{logicalId: 'Database', type: 'AWS::RDS::DBInstance', why: 'type AWS::RDS::DBInstance holds data'}])
    expect(verdict.reason).toContain('Database (type AWS::RDS::DBInstance holds data)')
  })

  it.each([
    ['AWS::RDS::DBCluster'],
    ['AWS::RDS::DBInstance'],
    ['AWS::EC2::Volume'],
    ['AWS::EFS::FileSystem'],
    ['AWS::DynamoDB::Table'],
    ['AWS::ElastiCache::ReplicationGroup'],
    ['AWS::ElastiCache::CacheCluster'],
  ])('counts %s as durable by its type', (type) => {
    const verdict = chooseStrategy({Thing: {Type: type}})
    expect(verdict.strategy).toBe('incremental')
    expect(verdict.durable).toEqual([{logicalId: 'Thing', type, why: `type ${type} holds data`}])
  })

  it.each([['Retain'], ['Snapshot'], ['RetainExceptOnCreate']])('counts any resource with DeletionPolicy %s as durable', (policy) => {
    const verdict = chooseStrategy({Bucket: {Type: 'AWS::S3::Bucket', DeletionPolicy: policy}})
    expect(verdict.strategy).toBe('incremental')
    expect(verdict.durable).toEqual([{logicalId: 'Bucket', type: 'AWS::S3::Bucket', why: `DeletionPolicy ${policy}`}])
    expect(verdict.reason).toContain(`Bucket (DeletionPolicy ${policy})`)
  })

  it('names every rule a resource matches, and every durable resource in template order', () => {
    const verdict = chooseStrategy({
      Data: {Type: 'AWS::EC2::Volume'},
      Web: {Type: 'AWS::AutoScaling::AutoScalingGroup'},
      Database: {Type: 'AWS::RDS::DBInstance', DeletionPolicy: 'Snapshot'},
    })
    expect(verdict.durable).toEqual([
      {logicalId: 'Data', type: 'AWS::EC2::Volume', why: 'type AWS::EC2::Volume holds data'},
      {logicalId: 'Database', type: 'AWS::RDS::DBInstance', why: 'type AWS::RDS::DBInstance holds data; DeletionPolicy Snapshot'},
    ])
    expect(verdict.reason).toMatch(/Data \(.*\), Database \(.*\)/)
  })

  it('does not count look-alike types or a Delete policy', () => {
    const verdict = chooseStrategy({
      Ec2: {Type: 'AWS::EC2::VolumeAttachment'},
      Rds: {Type: 'AWS::RDSX::Thing'},
      Gone: {Type: 'AWS::S3::Bucket', DeletionPolicy: 'Delete'},
    })
    expect(verdict.strategy).toBe('immutable')
  })

  it('assumes a DeletionPolicy computed by an intrinsic function keeps the resource', () => {
    const resources = {Bucket: {Type: 'AWS::S3::Bucket', DeletionPolicy: {'Fn::If': ['Prod', 'Retain', 'Delete']} as unknown as string}}
    const verdict = chooseStrategy(resources)
    expect(verdict.strategy).toBe('incremental')
    expect(verdict.durable[0]!.why).toMatch(/intrinsic function/)
  })
})
