import {
  GetCommandInvocationCommand,
  InvalidDocument,
  InvalidInstanceId,
  InvocationDoesNotExist,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  paginateListCommandInvocations,
  SendCommandCommand,
  ValidationException,
  type CommandInvocation,
} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {createStack, describeGroup, harness, rejection, waitFor, waitForStatus, type Harness} from './helpers.js'
import type {SimOptions} from '../../src/sim/index.js'

async function fleet(options: Partial<SimOptions>, version: string, capacity: number): Promise<{h: Harness; group: string; ids: string[]}> {
  const h = harness(options)
  await createStack(h, 'api-v1', version, {capacity})
  const stack = await waitForStatus(h, 'api-v1', 'CREATE_COMPLETE')
  const group = stack.Outputs!.find((output) => output.OutputKey === 'GroupName')!.OutputValue!
  const ids = await waitFor(h, async () => {
    const instances = (await describeGroup(h, group))!.Instances!
    return instances.every((i) => i.LifecycleState === 'InService') ? instances.map((i) => i.InstanceId!) : undefined
  })
  return {h, group, ids}
}

function send(h: Harness, instanceIds: string[], commands: string[] = ['curl -fsS localhost/health']) {
  return h.clients.ssm.send(
    new SendCommandCommand({DocumentName: 'AWS-RunShellScript', InstanceIds: instanceIds, Parameters: {commands}, Comment: 'smoke'}),
  )
}

async function invocations(h: Harness, commandId: string): Promise<CommandInvocation[]> {
  const all: CommandInvocation[] = []
  for await (const page of paginateListCommandInvocations({client: h.clients.ssm, pageSize: 2}, {CommandId: commandId, Details: true})) {
    all.push(...(page.CommandInvocations ?? []))
  }
  return all
}

/** How many instances a command was sent to (its invocations are listed only once they exist). */
async function targetCount(h: Harness, commandId: string): Promise<number> {
  const listed = await h.clients.ssm.send(new ListCommandsCommand({CommandId: commandId}))
  return listed.Commands![0]!.TargetCount!
}

async function settled(h: Harness, commandId: string): Promise<CommandInvocation[]> {
  const count = await targetCount(h, commandId)
  return waitFor(h, async () => {
    const all = await invocations(h, commandId)
    return all.length === count && all.every((i) => i.Status !== 'Pending' && i.Status !== 'InProgress') ? all : undefined
  })
}

describe('SSM Run Command', () => {
  it('runs a command per instance: Pending -> InProgress -> Success', async () => {
    const {h, ids} = await fleet({}, '1.0.0', 3)
    const sent = await send(h, ids)
    const commandId = sent.Command!.CommandId!
    expect(commandId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(sent.Command).toMatchObject({Status: 'Pending', TargetCount: 3, CompletedCount: 0, DocumentName: 'AWS-RunShellScript'})

    const seen = new Set<string>()
    const done = await waitFor(h, async () => {
      const all = await invocations(h, commandId)
      for (const invocation of all) seen.add(invocation.Status!)
      return all.length === ids.length && all.every((i) => i.Status === 'Success') ? all : undefined
    }, {stepMs: 500})
    expect([...seen]).toEqual(['Pending', 'InProgress', 'Success'])
    expect(done.map((i) => i.InstanceId).sort()).toEqual([...ids].sort())
    expect(done[0]!.CommandPlugins![0]).toMatchObject({Name: 'aws:runShellScript', Status: 'Success', ResponseCode: 0})

    const listed = await h.clients.ssm.send(new ListCommandsCommand({CommandId: commandId}))
    expect(listed.Commands![0]).toMatchObject({Status: 'Success', CompletedCount: 3, ErrorCount: 0})
    const one = await h.clients.ssm.send(new GetCommandInvocationCommand({CommandId: commandId, InstanceId: ids[0]!}))
    expect(one).toMatchObject({Status: 'Success', StatusDetails: 'Success', ResponseCode: 0})
    expect(one.StandardOutputContent).toContain('curl -fsS localhost/health')
  })

  it('answers InvocationDoesNotExist right after SendCommand, like real SSM', async () => {
    const {h, ids} = await fleet({}, '1.0.0', 1)
    const commandId = (await send(h, ids)).Command!.CommandId!
    const early = await rejection(h.clients.ssm.send(new GetCommandInvocationCommand({CommandId: commandId, InstanceId: ids[0]!})))
    expect(early).toBeInstanceOf(InvocationDoesNotExist)
    expect(early.name).toBe('InvocationDoesNotExist')
    h.clock.advance(2_000)
    const later = await h.clients.ssm.send(new GetCommandInvocationCommand({CommandId: commandId, InstanceId: ids[0]!}))
    expect(['Pending', 'InProgress']).toContain(later.Status)
    const unknown = await rejection(
      h.clients.ssm.send(new GetCommandInvocationCommand({CommandId: '00000000-0000-4000-8000-000000000000', InstanceId: ids[0]!})),
    )
    expect(unknown.name).toBe('InvalidCommandId')
  })

  it('fails commands on unhealthy versions', async () => {
    const {h, ids} = await fleet({faults: {unhealthyVersions: ['*-bad']}}, '2.0.0-bad', 2)
    const commandId = (await send(h, ids)).Command!.CommandId!
    const done = await settled(h, commandId)
    expect(done.map((i) => [i.Status, i.StatusDetails])).toEqual([
      ['Failed', 'Failed'],
      ['Failed', 'Failed'],
    ])
    const listed = await h.clients.ssm.send(new ListCommandsCommand({CommandId: commandId}))
    expect(listed.Commands![0]).toMatchObject({Status: 'Failed', ErrorCount: 2})
  })

  it('ends invocations on undeliverable instances Failed with StatusDetails Undeliverable', async () => {
    const {h, ids} = await fleet({faults: {undeliverableInstances: 1}}, '1.0.0', 2)
    const commandId = (await send(h, ids)).Command!.CommandId!
    const done = await settled(h, commandId)
    expect(done.map((i) => [i.Status, i.StatusDetails])).toEqual([
      ['Failed', 'Undeliverable'],
      ['Failed', 'Undeliverable'],
    ])
    const listed = await h.clients.ssm.send(new ListCommandsCommand({CommandId: commandId}))
    expect(listed.Commands![0]).toMatchObject({Status: 'Failed', ErrorCount: 0, CompletedCount: 2})
  })

  it('fails a share of invocations at commandFailureRate', async () => {
    const {h, ids} = await fleet({faults: {commandFailureRate: 0.5}, seed: 3}, '1.0.0', 10)
    const done = await settled(h, (await send(h, ids)).Command!.CommandId!)
    const failed = done.filter((i) => i.Status === 'Failed').length
    expect(failed).toBeGreaterThan(0)
    expect(failed).toBeLessThan(10)
  })

  it('refuses unknown documents, terminated or unknown instances and more than 50 instances', async () => {
    const {h, group, ids} = await fleet({}, '1.0.0', 1)
    const document = await rejection(
      h.clients.ssm.send(new SendCommandCommand({DocumentName: 'Acme-NoSuchDocument', InstanceIds: ids, Parameters: {commands: ['dir']}})),
    )
    expect(document).toBeInstanceOf(InvalidDocument)
    expect(document.message).toBe('Document Acme-NoSuchDocument does not exist')
    const unknown = await rejection(send(h, ['i-00000000000000000']))
    expect(unknown).toBeInstanceOf(InvalidInstanceId)
    const tooMany = await rejection(send(h, Array.from({length: 51}, (_, i) => `i-${String(i).padStart(17, '0')}`)))
    expect(tooMany).toBeInstanceOf(ValidationException)

    const {UpdateAutoScalingGroupCommand} = await import('@aws-sdk/client-auto-scaling')
    await h.clients.autoScaling.send(new UpdateAutoScalingGroupCommand({AutoScalingGroupName: group, MinSize: 0, DesiredCapacity: 0}))
    expect((await rejection(send(h, ids))).name).toBe('InvalidInstanceId')
  })

  it('sets the instance version with `release-sim set-version`, and the health follows it', async () => {
    const {h, group, ids} = await fleet({faults: {unhealthyVersions: ['*-bad']}}, '1.0.0', 2)
    const bad = await settled(h, (await send(h, [ids[0]!], ['release-sim set-version 2.0.0-bad'])).Command!.CommandId!)
    expect(bad[0]!.Status).toBe('Success')
    expect(bad[0]!.CommandPlugins![0]!.Output).toContain('version set to 2.0.0-bad')
    let view = h.account.view().groups.find((g) => g.name === group)!
    expect(view.instances.map((i) => [i.version, i.health])).toEqual([
      ['2.0.0-bad', 'Healthy'],
      ['1.0.0', 'Healthy'],
    ])
    // Smoke checks now fail there, but re-applying the last known good version goes through and heals it.
    const smoke = await settled(h, (await send(h, [ids[0]!])).Command!.CommandId!)
    expect(smoke[0]!.Status).toBe('Failed')
    const back = await settled(h, (await send(h, [ids[0]!], ['release-sim set-version 1.0.0'])).Command!.CommandId!)
    expect(back[0]!.Status).toBe('Success')
    view = h.account.view().groups.find((g) => g.name === group)!
    expect(view.instances.map((i) => [i.version, i.health])).toEqual([
      ['1.0.0', 'Healthy'],
      ['1.0.0', 'Healthy'],
    ])
  })

  it('lists invocations of all commands without a CommandId, paged by 50 at most', async () => {
    const {h, ids} = await fleet({}, '1.0.0', 2)
    await send(h, ids)
    await send(h, ids)
    // An invocation is listed once it exists, a moment after SendCommand.
    h.clock.advance(2_000)
    const answer = await h.clients.ssm.send(new ListCommandInvocationsCommand({MaxResults: 3}))
    expect(answer.CommandInvocations).toHaveLength(3)
    expect(answer.NextToken).toBeDefined()
    const rest = await h.clients.ssm.send(new ListCommandInvocationsCommand({MaxResults: 3, NextToken: answer.NextToken}))
    expect(rest.CommandInvocations).toHaveLength(1)
    expect(rest.NextToken).toBeUndefined()
  })

  it('filters as AWS documents: ExecutionStage only for ListCommands, DocumentName for both', async () => {
    const {h, ids} = await fleet({}, '1.0.0', 2)
    const sent = await send(h, ids)
    h.clock.advance(2_000)
    const executionStage = [{key: 'ExecutionStage' as const, value: 'Complete'}]
    expect(await rejection(h.clients.ssm.send(new ListCommandInvocationsCommand({Filters: executionStage})))).toMatchObject({name: 'InvalidFilterKey'})
    const executing = await h.clients.ssm.send(new ListCommandsCommand({Filters: [{key: 'ExecutionStage', value: 'Executing'}]}))
    expect(executing.Commands!.map((c) => c.CommandId)).toEqual([sent.Command!.CommandId])
    expect((await h.clients.ssm.send(new ListCommandsCommand({Filters: executionStage}))).Commands).toEqual([])
    const otherDocument = [{key: 'DocumentName' as const, value: 'AWS-RunPowerShellScript'}]
    expect((await h.clients.ssm.send(new ListCommandInvocationsCommand({Filters: otherDocument}))).CommandInvocations).toEqual([])
    await settled(h, sent.Command!.CommandId!)
    expect((await h.clients.ssm.send(new ListCommandsCommand({Filters: executionStage}))).Commands!.map((c) => c.CommandId)).toEqual([sent.Command!.CommandId])
  })
})
