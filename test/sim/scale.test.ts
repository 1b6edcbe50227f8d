import {DescribeAutoScalingGroupsCommand} from '@aws-sdk/client-auto-scaling'
import {paginateDescribeInstanceInformation, paginateListCommands, type Command} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {harness, runShell} from './helpers.js'

/**
 * A 10,000-instance account answers paged calls and 200 commands correctly. How fast it does so is
 * measured by the benchmarks (npm run bench), not here: a test never measures wall time, and the test
 * timeout is the only bound (work per instance per call would exceed it many times over).
 */
describe('a 10,000-instance fleet', () => {
  it('pages its group and instances, and runs 200 commands of 50 to the end', {timeout: 60_000}, async () => {
    const h = harness({fleets: {'db-fleet': {instances: 10_000, version: '1.0.0'}}})
    let outOfService = 0
    let observed = 0
    h.account.observe((summary) => {
      observed += 1
      outOfService = Math.max(outOfService, summary.outOfService)
    })

    const group = (await h.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({AutoScalingGroupNames: ['db-fleet']})))
      .AutoScalingGroups![0]!
    expect(group.Instances).toHaveLength(10_000)
    const ids: string[] = []
    for await (const page of paginateDescribeInstanceInformation({client: h.clients.ssm}, {Filters: [{Key: 'tag:Role', Values: ['db']}]})) {
      ids.push(...page.InstanceInformationList!.map((info) => info.InstanceId!))
    }
    expect(ids).toHaveLength(10_000)

    const sentAt = h.clock.now()
    for (let i = 0; i < ids.length; i += 50) await runShell(h, ids.slice(i, i + 50), ['release-sim set-version 1.1.0', 'release-sim check'])
    expect(outOfService).toBe(10_000)
    for (let step = 0; step < 60; step++) {
      h.clock.advance(10_000)
      await h.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({AutoScalingGroupNames: ['db-fleet']}))
    }
    const commands: Command[] = []
    const after = new Date(sentAt).toISOString().replace(/\.\d{3}Z$/, 'Z')
    for await (const page of paginateListCommands({client: h.clients.ssm}, {Filters: [{key: 'InvokedAfter', value: after}]})) {
      commands.push(...page.Commands!)
    }
    expect(commands).toHaveLength(200)
    expect(commands.every((c) => c.Status === 'Success' && c.CompletedCount === 50)).toBe(true)
    expect(h.account.view().groups[0]!.instances.every((i) => i.version === '1.1.0')).toBe(true)
    expect(observed).toBeGreaterThan(400)
  })
})
