import {EnterStandbyCommand, ExitStandbyCommand} from '@aws-sdk/client-auto-scaling'
import {ListCommandInvocationsCommand, ListCommandsCommand, ThrottlingException} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import type {FleetSummary} from '../../src/sim/index.js'
import {groupInstanceIds, harness, rejection, runShell, settle, waitFor} from './helpers.js'

describe('metrics', () => {
  it('counts every API call by service:Command, throttled ones too, until reset', async () => {
    const h = harness({fleets: {'api-fleet': {instances: 3, version: '1.0.0'}}})
    const ids = await groupInstanceIds(h, 'api-fleet')
    await settle(h, await runShell(h, ids, ['release-sim get-version']))
    const metrics = h.account.metrics()
    expect(metrics.calls['ssm:SendCommand']).toBe(1)
    expect(metrics.calls['autoscaling:DescribeAutoScalingGroups']).toBe(1)
    expect(metrics.calls['ssm:ListCommandInvocations']).toBeGreaterThan(0)
    expect(metrics.throttled).toBe(0)

    h.account.resetMetrics()
    h.account.setFaults({throttle: {rate: 1, services: ['ssm']}})
    expect(await rejection(h.clients.ssm.send(new ListCommandsCommand({})))).toBeInstanceOf(ThrottlingException)
    expect(h.account.metrics()).toEqual({calls: {'ssm:ListCommands': 1}, throttled: 1, denied: 0, networkFailures: {before: 0, after: 0, lostAnswers: {}}})

    // A call the caller's policy does not allow is counted, refused before throttling.
    h.account.setFaults({throttle: {rate: 1, services: ['ssm']}, allowActions: ['ssm:ListCommands']})
    expect((await rejection(h.clients.ssm.send(new ListCommandInvocationsCommand({})))).name).toBe('AccessDeniedException')
    expect(h.account.metrics()).toMatchObject({calls: {'ssm:ListCommands': 1, 'ssm:ListCommandInvocations': 1}, throttled: 1, denied: 1})
    h.account.resetMetrics()
    expect(h.account.metrics()).toMatchObject({calls: {}, throttled: 0, denied: 0})
  })
})

describe('observers', () => {
  it('see after every call how many instances are out of service: standby, back on their way, or changing', async () => {
    const h = harness({fleets: {'api-fleet': {instances: 4, version: '1.0.0'}}})
    const ids = await groupInstanceIds(h, 'api-fleet')
    const seen: {outOfService: number; changing: string[]}[] = []
    let last: FleetSummary | undefined
    const stop = h.account.observe((summary) => {
      last = summary
      seen.push({outOfService: summary.outOfService, changing: summary.instances.filter((i) => i.changing).map((i) => i.id)})
    })

    await h.clients.autoScaling.send(
      new EnterStandbyCommand({AutoScalingGroupName: 'api-fleet', InstanceIds: [ids[0]!], ShouldDecrementDesiredCapacity: true}),
    )
    expect(seen.at(-1)!.outOfService).toBe(1)
    // A command that only reads does not make an instance change.
    await runShell(h, [ids[1]!], ['release-sim get-version'])
    expect(seen.at(-1)).toEqual({outOfService: 1, changing: []})
    const change = await runShell(h, [ids[2]!, ids[3]!], ['release-sim set-version 1.1.0'])
    expect(seen.at(-1)).toEqual({outOfService: 3, changing: [ids[2], ids[3]]})
    expect(last!.instances.find((i) => i.id === ids[2])).toMatchObject({group: 'api-fleet', version: '1.0.0', lifecycle: 'InService', health: 'Healthy'})

    await settle(h, change)
    expect(seen.at(-1)!.outOfService).toBe(1)
    expect(last!.instances.filter((i) => i.version === '1.1.0')).toHaveLength(2)

    await waitFor(h, async () => (await h.clients.autoScaling.send(new ExitStandbyCommand({AutoScalingGroupName: 'api-fleet', InstanceIds: [ids[0]!]})).catch(() => undefined)) !== undefined)
    // Pending after ExitStandby is still out of service, until InService.
    expect(seen.at(-1)!.outOfService).toBe(1)
    await waitFor(h, async () => {
      await h.clients.ssm.send(new ListCommandsCommand({}))
      return seen.at(-1)!.outOfService === 0
    })
    expect(last!.instances.map((i) => i.lifecycle)).toEqual(['InService', 'InService', 'InService', 'InService'])

    const calls = seen.length
    stop()
    await h.clients.ssm.send(new ListCommandsCommand({}))
    expect(seen).toHaveLength(calls)
  })
})
