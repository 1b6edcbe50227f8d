import {DescribeStackEventsCommand} from '@aws-sdk/client-cloudformation'
import {describe, expect, it} from 'vitest'
import {isUserError} from '../../src/errors.js'
import type {StackProgress} from '../../src/ports/stacks.js'
import {PollTimeoutError} from '../../src/util/poll.js'
import {FLEET_TEMPLATE, fleetParameters} from '../fakes/templates.js'
import {createFleet, HOUR, MINUTE, openWorld, type World} from './sim.js'

async function create(world: World, stackName: string, version: string, token = `${stackName}-create`, tags = {}) {
  await world.stacks.createStack({stackName, templateBody: FLEET_TEMPLATE, parameters: fleetParameters(version), tags, token})
  return token
}

describe('CloudFormationStacks on the simulated account', () => {
  it('creates a stack and reports progress until CREATE_COMPLETE', async () => {
    const world = openWorld()
    const token = await create(world, 'web-r1', '1.0.0', 'r1-provision', {'release:target': 'web'})
    const progress: StackProgress[] = []
    const result = await world.stacks.waitForCreate('web-r1', token, {
      deadline: world.clock.now() + HOUR,
      onProgress: (p) => progress.push(p),
    })
    expect(result).toEqual({ok: true, status: 'CREATE_COMPLETE'})
    expect(progress.at(-1)).toEqual({stackName: 'web-r1', status: 'CREATE_COMPLETE', resourcesComplete: 2, resourcesTotal: 2})
    expect(progress.some((p) => p.status === 'CREATE_IN_PROGRESS')).toBe(true)
    const completes = progress.map((p) => p.resourcesComplete)
    expect(completes).toEqual([...completes].sort((a, b) => a - b))

    const stack = await world.stacks.describeStack('web-r1')
    expect(stack).toMatchObject({
      name: 'web-r1',
      status: 'CREATE_COMPLETE',
      parameters: {Version: '1.0.0', DesiredCapacity: '2'},
      tags: {'release:target': 'web'},
    })
    expect(stack?.id).toMatch(/^arn:aws:cloudformation:/)
    expect(stack?.outputs['GroupName']).toBeTruthy()
    const resources = await world.stacks.listResources('web-r1')
    expect(resources.map((r) => [r.logicalId, r.type, r.status]).sort()).toEqual([
      ['Group', 'AWS::AutoScaling::AutoScalingGroup', 'CREATE_COMPLETE'],
      ['LaunchTemplate', 'AWS::EC2::LaunchTemplate', 'CREATE_COMPLETE'],
    ])
    expect(resources.find((r) => r.logicalId === 'Group')?.physicalId).toBe(stack?.outputs['GroupName'])
  })

  it('re-attaches to its own stack when created again with the same token', async () => {
    const world = openWorld()
    await create(world, 'web-r2', '1.0.0', 'r2-provision')
    await world.clock.sleep(10_000)
    // A resumed release runs the step again: same name, same token.
    await create(world, 'web-r2', '1.0.0', 'r2-provision')
    const result = await world.stacks.waitForCreate('web-r2', 'r2-provision', {deadline: world.clock.now() + HOUR})
    expect(result.ok).toBe(true)
    // Also once the stack is complete.
    await create(world, 'web-r2', '1.0.0', 'r2-provision')
    expect(world.account.view().stacks.filter((s) => s.name === 'web-r2')).toHaveLength(1)
  })

  it('refuses a stack of that name that another token created, naming the stack', async () => {
    const world = openWorld()
    await create(world, 'web-r3', '1.0.0', 'someone-else')
    const error = await create(world, 'web-r3', '1.0.0', 'r3-provision').catch((e: unknown) => e)
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toContain('web-r3')
    expect(world.account.view().stacks.filter((s) => s.name === 'web-r3')).toHaveLength(1)
  })

  it('reports the root cause of a failed creation, not the rollback text', async () => {
    const world = openWorld({faults: {failStackCreation: ['*-nostack']}})
    const token = await create(world, 'web-r4', '2.0-nostack')
    const result = await world.stacks.waitForCreate('web-r4', token, {deadline: world.clock.now() + HOUR})
    expect(result.ok).toBe(false)
    expect(result.status).toBe('ROLLBACK_COMPLETE')
    expect(result.reason).toBeTruthy()
    expect(result.reason).not.toMatch(/Rollback requested/)

    const events = await world.clients.cloudFormation.send(new DescribeStackEventsCommand({StackName: 'web-r4'}))
    const failed = (events.StackEvents ?? []).filter((e) => e.ResourceStatus === 'CREATE_FAILED')
    expect(failed.at(-1)?.ResourceStatusReason).toBe(result.reason)
  })

  it('deletes a stack and waits for DELETE_COMPLETE; deleting again is fine', async () => {
    const world = openWorld()
    await createFleet(world, 'web-r5', '1.0.0')
    await world.stacks.deleteStack('web-r5', 'r5-retire')
    const progress: StackProgress[] = []
    const result = await world.stacks.waitForDelete('web-r5', 'r5-retire', {
      deadline: world.clock.now() + HOUR,
      onProgress: (p) => progress.push(p),
    })
    expect(result).toEqual({ok: true, status: 'DELETE_COMPLETE'})
    expect(progress.at(-1)?.resourcesComplete).toBe(progress.at(-1)?.resourcesTotal)
    expect(await world.stacks.describeStack('web-r5')).toBeUndefined()
    expect(world.account.view().stacks.find((s) => s.name === 'web-r5')?.status ?? 'DELETE_COMPLETE').toBe('DELETE_COMPLETE')

    // A resumed release deletes and waits again: nothing to do, and that is success.
    await world.stacks.deleteStack('web-r5', 'r5-retire')
    expect(await world.stacks.waitForDelete('web-r5', 'r5-retire', {deadline: world.clock.now() + HOUR})).toEqual({
      ok: true,
      status: 'DELETE_COMPLETE',
    })
  })

  it('reports DELETE_FAILED with the reason', async () => {
    const world = openWorld({faults: {failStackDeletion: ['*-stuck']}})
    await createFleet(world, 'web-r6', '1.0-stuck')
    await world.stacks.deleteStack('web-r6', 'r6-retire')
    const result = await world.stacks.waitForDelete('web-r6', 'r6-retire', {deadline: world.clock.now() + HOUR})
    expect(result.ok).toBe(false)
    expect(result.status).toBe('DELETE_FAILED')
    expect(result.reason).toBeTruthy()
    expect(result.reason).not.toMatch(/^The following resource/)
  })

  it('describes a missing stack as undefined and lists no resources for it', async () => {
    const world = openWorld()
    expect(await world.stacks.describeStack('nope')).toBeUndefined()
    expect(await world.stacks.listResources('nope')).toEqual([])
  })

  it('lists the live stacks carrying a tag, newest first', async () => {
    const world = openWorld()
    for (const [name, target] of [
      ['web-a', 'web'],
      ['api-a', 'api'],
      ['web-b', 'web'],
      ['web-c', 'web'],
    ] as const) {
      await create(world, name, '1.0.0', `${name}-create`, {'release:target': target})
      await world.clock.sleep(MINUTE)
    }
    await world.stacks.waitForCreate('web-c', 'web-c-create', {deadline: world.clock.now() + HOUR})
    await world.stacks.deleteStack('web-b', 'web-b-delete')
    await world.stacks.waitForDelete('web-b', 'web-b-delete', {deadline: world.clock.now() + HOUR})

    const web = await world.stacks.listStacksByTag('release:target', 'web')
    expect(web.map((s) => s.name)).toEqual(['web-c', 'web-a'])
    expect(web[0]!.createdAt).toBeGreaterThan(web[1]!.createdAt)
  })

  it('times out with PollTimeoutError while the stack goes on, and a later wait sees it finish', async () => {
    const world = openWorld()
    const token = await create(world, 'web-r7', '1.0.0')
    const error = await world.stacks
      .waitForCreate('web-r7', token, {deadline: world.clock.now() + 1_000})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PollTimeoutError)
    expect((error as Error).message).toContain('web-r7')
    expect((await world.stacks.describeStack('web-r7'))?.status).toBe('CREATE_IN_PROGRESS')
    expect((await world.stacks.waitForCreate('web-r7', token, {deadline: world.clock.now() + HOUR})).ok).toBe(true)
  })

  it('summarises a template: parameters and whether they have defaults', async () => {
    const world = openWorld()
    const summary = await world.stacks.validateTemplate(FLEET_TEMPLATE)
    expect(summary.parameters).toEqual(
      expect.arrayContaining([
        {key: 'Version', hasDefault: false},
        {key: 'DesiredCapacity', hasDefault: true},
      ]),
    )
    expect(summary.parameters).toHaveLength(2)
  })

  it('refuses a broken template as a UserError', async () => {
    const world = openWorld()
    const error = await world.stacks.validateTemplate('Resources: [not, a, map').catch((e: unknown) => e)
    expect(isUserError(error)).toBe(true)
  })
})
