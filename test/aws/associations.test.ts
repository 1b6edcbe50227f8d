/**
 * SsmAssociations on the simulated account: State Manager refusing what SSM refuses, associations
 * running on the virtual clock, and the per-instance result of their latest run.
 */
import {describe, expect, it} from 'vitest'
import {SsmAssociations} from '../../src/aws/associations.js'
import type {AssociationSpec} from '../../src/ports/associations.js'
import {createFleet, HOUR, inService, MINUTE, openWorld, type World} from './sim.js'

function associationsOf(world: World) {
  return new SsmAssociations({client: world.clients.ssm, clock: world.clock})
}

function spec(group: string, over: Partial<AssociationSpec> = {}): AssociationSpec {
  return {
    name: 'release-api',
    documentName: 'AWS-RunShellScript',
    parameters: {commands: ['release-sim set-version 2.0.0', 'release-sim check']},
    targets: [{key: 'tag:aws:autoscaling:groupName', values: [group]}],
    schedule: 'rate(30 minutes)',
    ...over,
  }
}

function versions(world: World, group: string): string[] {
  return world.account.view().groups.find((g) => g.name === group)!.instances.map((i) => i.version ?? '?')
}

describe('State Manager associations on the simulated account', () => {
  it('runs at once, then on its schedule, and is found again by name', async () => {
    const world = openWorld()
    const group = await createFleet(world, 'api-r1', '1.0.0', 3)
    await inService(world, group, 3)
    const associations = associationsOf(world)
    const created = await associations.create(spec(group))
    expect(await associations.find('release-api')).toEqual(created)
    expect(await associations.find('no-such')).toBeUndefined()

    world.clock.advance(5 * MINUTE)
    expect(versions(world, group)).toEqual(['2.0.0', '2.0.0', '2.0.0'])
    const first = await associations.compliance(created.associationId)
    expect(first.instances.map((i) => i.compliant)).toEqual([true, true, true])

    // A hand edit between runs is put back by the next run, no later than one period after the last.
    const instance = world.account.view().groups.find((g) => g.name === group)!.instances[0]!.id
    world.account.causeDrift({kind: 'instance', instanceId: instance, version: '1.5.0'})
    world.clock.advance(30 * MINUTE)
    expect(versions(world, group)).toEqual(['2.0.0', '2.0.0', '2.0.0'])
    const second = await associations.compliance(created.associationId)
    expect(Date.parse(second.executedAt!)).toBeGreaterThan(Date.parse(first.executedAt!))
  })

  it('deletes one, which then no longer runs; deleting it again (an answer lost on the way) is not an error', async () => {
    const world = openWorld()
    const group = await createFleet(world, 'api-r1', '1.0.0', 2)
    await inService(world, group, 2)
    const associations = associationsOf(world)
    const created = await associations.create(spec(group))
    await associations.remove(created.associationId)
    await associations.remove(created.associationId)
    expect(await associations.find('release-api')).toBeUndefined()
    world.clock.advance(HOUR)
    expect(versions(world, group)).toEqual(['1.0.0', '1.0.0'])
  })

  it('reports the instances where the latest run failed as not compliant', async () => {
    const world = openWorld({faults: {unhealthyVersions: ['*-bad']}})
    const group = await createFleet(world, 'api-r1', '1.0.0', 2)
    await inService(world, group, 2)
    const associations = associationsOf(world)
    const created = await associations.create(spec(group, {parameters: {commands: ['release-sim set-version 3.0.0-bad', 'release-sim check']}}))
    world.clock.advance(5 * MINUTE)
    const run = await associations.compliance(created.associationId)
    expect(run.instances).toHaveLength(2)
    expect(run.instances.every((i) => i.compliant === false && i.status === 'Failed')).toBe(true)
  })

  it('updates the association in place: one association, a new version that runs at once', async () => {
    const world = openWorld()
    const group = await createFleet(world, 'api-r1', '1.0.0', 2)
    await inService(world, group, 2)
    const associations = associationsOf(world)
    const created = await associations.create(spec(group))
    world.clock.advance(5 * MINUTE)
    const updated = await associations.update(created.associationId, spec(group, {parameters: {commands: ['release-sim set-version 2.5.0']}}))
    expect(updated.associationVersion).toBe('2')
    world.clock.advance(5 * MINUTE)
    expect(versions(world, group)).toEqual(['2.5.0', '2.5.0'])
  })

  it('refuses what State Manager refuses, creating nothing', async () => {
    const world = openWorld()
    const group = await createFleet(world, 'api-r1', '1.0.0', 1)
    const associations = associationsOf(world)
    const refusals: [Partial<AssociationSpec>, string][] = [
      [{schedule: 'rate(15 minutes)'}, 'InvalidSchedule'],
      [{schedule: 'rate(1 hours)'}, 'InvalidSchedule'],
      [{schedule: 'cron(0 0/3 * * ? *)'}, 'InvalidSchedule'],
      [{documentName: 'No-Such-Document'}, 'InvalidDocument'],
      [{parameters: {commands: ['true'], nope: ['x']}}, 'InvalidParameters'],
      [{documentName: 'AWS-ApplyChefRecipes', parameters: {SourceType: ['S3'], SourceInfo: ['{"path":"https://s3.amazonaws.com/b/app-1.0.0.tar.gz"}']}}, 'InvalidParameters'],
      [{documentName: 'AWS-ApplyChefRecipes', parameters: {SourceType: ['FTP'], SourceInfo: ['{}'], RunList: ['recipe[app]']}}, 'InvalidParameters'],
      [{documentName: 'AWS-ConfigureAWSPackage', parameters: {action: ['Install'], name: ['app'], additionalArguments: ['not json']}}, 'InvalidParameters'],
      [{targets: [{key: 'Environment', values: ['x']}]}, 'InvalidTarget'],
    ]
    for (const [over, name] of refusals) {
      await expect(associations.create(spec(group, over)), JSON.stringify(over)).rejects.toMatchObject({name})
    }
    expect(await world.clients.ssm.send(new (await import('@aws-sdk/client-ssm')).ListAssociationsCommand({}))).toMatchObject({Associations: []})
  })

  it('runs AWS-ApplyChefRecipes and AWS-ConfigureAWSPackage, with the version their parameters carry', async () => {
    const world = openWorld()
    const chefGroup = await createFleet(world, 'chef-r1', '1.0.0', 2)
    const packageGroup = await createFleet(world, 'pkg-r1', '1.0.0', 2)
    await inService(world, chefGroup, 2)
    await inService(world, packageGroup, 2)
    const associations = associationsOf(world)
    await associations.create(
      spec(chefGroup, {
        name: 'release-chef',
        documentName: 'AWS-ApplyChefRecipes',
        parameters: {SourceType: ['S3'], SourceInfo: ['{"path":"https://s3.amazonaws.com/cookbooks/app/1.4.0/cookbooks.tar.gz"}'], RunList: ['recipe[app::default]']},
      }),
    )
    await associations.create(
      spec(packageGroup, {name: 'release-pkg', documentName: 'AWS-ConfigureAWSPackage', parameters: {action: ['Install'], name: ['app-agent'], version: ['3.2.1']}}),
    )
    world.clock.advance(HOUR / 6)
    expect(versions(world, chefGroup)).toEqual(['1.4.0', '1.4.0'])
    expect(versions(world, packageGroup)).toEqual(['3.2.1', '3.2.1'])
  })
})
