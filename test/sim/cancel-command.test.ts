/** CancelCommand in the simulated account, as AWS documents it. */
import {describe, expect, it} from 'vitest'
import {openIncremental, versionCounts} from '../fakes/incremental.js'

describe('simulated CancelCommand', () => {
  it('unfinished invocations go Cancelling then Cancelled and change nothing; finished ones stay', async () => {
    const {sim, clock} = await openIncremental({instances: 2, commandLatency: {medianMs: 60_000, p95Ms: 70_000}})
    const {InstanceInformationList: infos} = await sim.handle('ssm', 'DescribeInstanceInformation', {})
    const ids = (infos as {InstanceId: string}[]).map((i) => i.InstanceId).slice(0, 2)
    const params = {commands: ['release-sim set-version 9.9.9']}
    const read = async (commandId: string, instanceId: string) =>
      (await sim.handle('ssm', 'GetCommandInvocation', {CommandId: commandId, InstanceId: instanceId})).Status
    const first = (await sim.handle('ssm', 'SendCommand', {DocumentName: 'AWS-RunShellScript', InstanceIds: [ids[0]], Parameters: params})).Command.CommandId
    await clock.sleep(200_000)
    expect(await read(first, ids[0]!)).toBe('Success')
    const second = (await sim.handle('ssm', 'SendCommand', {DocumentName: 'AWS-RunShellScript', InstanceIds: [ids[1]], Parameters: {commands: ['release-sim set-version 8.8.8']}})).Command.CommandId
    await clock.sleep(5_000)
    await sim.handle('ssm', 'CancelCommand', {CommandId: first})
    await sim.handle('ssm', 'CancelCommand', {CommandId: second, InstanceIds: [ids[1]]})
    expect(await read(first, ids[0]!)).toBe('Success')
    expect(await read(second, ids[1]!)).toBe('Cancelling')
    await clock.sleep(200_000)
    expect(await read(second, ids[1]!)).toBe('Cancelled')
    // Cancelled before it ended: the change was not applied.
    expect(versionCounts(sim)['8.8.8']).toBeUndefined()
    expect(versionCounts(sim)['9.9.9']).toBe(1)
    const {Commands} = await sim.handle('ssm', 'ListCommands', {CommandId: second})
    expect(Commands[0]).toMatchObject({Status: 'Cancelled', CompletedCount: 1, ErrorCount: 0})
  })
})
