import {
  DescribeDocumentCommand,
  GetCommandInvocationCommand,
  InvalidDocument,
  InvalidParameters,
  ListCommandsCommand,
  SendCommandCommand,
} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {SimAccount, type SimOptions} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {groupInstanceIds, harness, rejection, runShell, settle, type Harness} from './helpers.js'

const BAD = {unhealthyVersions: ['*-bad']}

async function fleet(options: Partial<SimOptions> = {}, instances = 2): Promise<{h: Harness; ids: string[]}> {
  const h = harness({fleets: {'api-fleet': {instances, version: '1.0.0'}}, faults: BAD, ...options})
  return {h, ids: await groupInstanceIds(h, 'api-fleet')}
}

function instancesOf(h: Harness) {
  return h.account.view().groups.find((g) => g.name === 'api-fleet')!.instances.map((i) => [i.version, i.health])
}

describe('in-place changes with release-sim lines', () => {
  it('sets the version when the invocation ends; health follows it; check fails on a -bad version', async () => {
    const {h, ids} = await fleet()
    const good = await settle(h, await runShell(h, [ids[0]!], ['release-sim set-version 1.1.0', 'release-sim check']))
    expect(good[0]).toMatchObject({Status: 'Success', StatusDetails: 'Success'})
    expect(good[0]!.CommandPlugins![0]!.Output).toBe(
      '$ release-sim set-version 1.1.0\nversion set to 1.1.0\n$ release-sim check\nversion 1.1.0 is healthy\n',
    )
    expect(instancesOf(h)).toEqual([
      ['1.1.0', 'Healthy'],
      ['1.0.0', 'Healthy'],
    ])

    const bad = await settle(h, await runShell(h, [ids[1]!], ['release-sim set-version 2.0.0-bad', 'release-sim check']))
    expect(bad[0]).toMatchObject({Status: 'Failed', StatusDetails: 'Failed'})
    expect(bad[0]!.CommandPlugins![0]!.Output).toContain('release-sim check: version 2.0.0-bad')
    // The change happened; its check failed.
    expect(instancesOf(h)).toEqual([
      ['1.1.0', 'Healthy'],
      ['2.0.0-bad', 'Healthy'],
    ])

    // On the broken instance: a smoke check fails, a check fails, but re-applying a good version
    // (with preparation lines before it) goes through and heals it.
    expect((await settle(h, await runShell(h, [ids[1]!], ['curl -fsS localhost/health'])))[0]!.Status).toBe('Failed')
    expect((await settle(h, await runShell(h, [ids[1]!], ['release-sim check'])))[0]!.Status).toBe('Failed')
    const back = await settle(h, await runShell(h, [ids[1]!], ['systemctl stop app', 'release-sim set-version 1.0.0', 'curl -fsS localhost/health']))
    expect(back[0]!.Status).toBe('Success')
    expect(instancesOf(h)).toEqual([
      ['1.1.0', 'Healthy'],
      ['1.0.0', 'Healthy'],
    ])
  })

  it('prints the version alone with get-version, in StandardOutputContent and the plugin output', async () => {
    const {h, ids} = await fleet()
    const commandId = await runShell(h, ids, ['release-sim get-version'])
    const done = await settle(h, commandId)
    expect(done.map((i) => [i.Status, i.CommandPlugins![0]!.Output])).toEqual([
      ['Success', '1.0.0\n'],
      ['Success', '1.0.0\n'],
    ])
    const one = await h.clients.ssm.send(new GetCommandInvocationCommand({CommandId: commandId, InstanceId: ids[0]!}))
    expect(one.StandardOutputContent).toBe('1.0.0\n')
    // The version is the record's only once the invocation that sets it has ended.
    const both = await settle(h, await runShell(h, [ids[0]!], ['release-sim set-version 1.2.0', 'release-sim get-version']))
    expect(both[0]!.CommandPlugins![0]!.Output).toBe('$ release-sim set-version 1.2.0\nversion set to 1.2.0\n1.2.0\n')
  })

  it('stops at the first failing line, keeping what ran before it', async () => {
    const {h, ids} = await fleet()
    const typo = await settle(h, await runShell(h, [ids[0]!], ['release-sim set-verison 1.5.0', 'release-sim set-version 1.5.0']))
    expect(typo[0]!.Status).toBe('Failed')
    expect(typo[0]!.CommandPlugins![0]!.Output).toContain('unknown command')
    expect(instancesOf(h)[0]).toEqual(['1.0.0', 'Healthy'])
  })

  it('spares get-version from commandFailureRate, not from undeliverable instances', async () => {
    const {h, ids} = await fleet({faults: {...BAD, commandFailureRate: 1}}, 3)
    const change = await settle(h, await runShell(h, ids, ['release-sim set-version 1.1.0']))
    expect(change.map((i) => i.Status)).toEqual(['Failed', 'Failed', 'Failed'])
    expect(instancesOf(h).map(([version]) => version)).toEqual(['1.0.0', '1.0.0', '1.0.0'])
    const read = await settle(h, await runShell(h, ids, ['release-sim get-version']))
    expect(read.map((i) => i.Status)).toEqual(['Success', 'Success', 'Success'])

    h.account.setFaults({undeliverableInstances: 1})
    const unreachable = await settle(h, await runShell(h, ids, ['release-sim get-version']))
    expect(unreachable.map((i) => i.StatusDetails)).toEqual(['Undeliverable', 'Undeliverable', 'Undeliverable'])
  })

  it('ends invocations that outrun executionTimeout TimedOut, without their changes', async () => {
    const {h, ids} = await fleet({timings: {commandLatency: {medianMs: 120_000, p95Ms: 130_000}}}, 2)
    const commandId = (
      await h.clients.ssm.send(
        new SendCommandCommand({
          DocumentName: 'AWS-RunShellScript',
          InstanceIds: ids,
          Parameters: {commands: ['release-sim set-version 1.1.0'], executionTimeout: ['30']},
        }),
      )
    ).Command!.CommandId!
    const done = await settle(h, commandId)
    expect(done.map((i) => [i.Status, i.StatusDetails])).toEqual([
      ['TimedOut', 'ExecutionTimedOut'],
      ['TimedOut', 'ExecutionTimedOut'],
    ])
    expect(instancesOf(h).map(([version]) => version)).toEqual(['1.0.0', '1.0.0'])
    const listed = await h.clients.ssm.send(new ListCommandsCommand({CommandId: commandId}))
    expect(listed.Commands![0]).toMatchObject({Status: 'Failed', ErrorCount: 2, CompletedCount: 2})
  })
})

describe('SSM documents', () => {
  const documents = {'Acme-InstallApp': {parameters: ['Version', 'Mode']}, 'Acme-Deploy': {parameters: ['Channel', 'Build']}}

  it('describes the shell documents and the custom ones; refuses unknown documents', async () => {
    const {h} = await fleet({documents})
    const shell = await h.clients.ssm.send(new DescribeDocumentCommand({Name: 'AWS-RunShellScript'}))
    expect(shell.Document!.Parameters!.map((p) => p.Name)).toEqual(['commands', 'workingDirectory', 'executionTimeout'])
    expect(shell.Document).toMatchObject({DocumentType: 'Command', Status: 'Active', Owner: 'Amazon'})
    const powerShell = await h.clients.ssm.send(new DescribeDocumentCommand({Name: 'AWS-RunPowerShellScript'}))
    expect(powerShell.Document!.Parameters!.map((p) => p.Name)).toContain('commands')
    const custom = await h.clients.ssm.send(new DescribeDocumentCommand({Name: 'Acme-InstallApp'}))
    expect(custom.Document!.Parameters!.map((p) => p.Name)).toEqual(['Version', 'Mode'])
    const missing = await rejection(h.clients.ssm.send(new DescribeDocumentCommand({Name: 'Acme-Nothing'})))
    expect(missing).toBeInstanceOf(InvalidDocument)
    expect(missing.message).toBe('Document Acme-Nothing does not exist')
  })

  it('refuses custom documents SSM would not accept, before opening anything', () => {
    const clock = new VirtualClock()
    expect(() => SimAccount.open({clock, documents: {'AWS-Mine': {parameters: []}}})).toThrow(RangeError)
    expect(() => SimAccount.open({clock, documents: {'Acme-X': {parameters: ['a b']}}})).toThrow(RangeError)
    expect(() => SimAccount.open({clock, documents: {'Acme-X': {parameters: ['v', 'v']}}})).toThrow(RangeError)
  })

  it('runs a custom document as set-version of its version parameter then check', async () => {
    const {h, ids} = await fleet({documents})
    const send = (name: string, parameters: Record<string, string[]>, instanceIds = ids) =>
      h.clients.ssm.send(new SendCommandCommand({DocumentName: name, InstanceIds: instanceIds, Parameters: parameters}))

    const undeclared = await rejection(send('Acme-InstallApp', {Version: ['1.1.0'], Color: ['blue']}))
    expect(undeclared).toBeInstanceOf(InvalidParameters)

    const ok = await settle(h, (await send('Acme-InstallApp', {Version: ['1.1.0'], Mode: ['fast']}, [ids[0]!])).Command!.CommandId!)
    expect(ok[0]!.Status).toBe('Success')
    // Without a parameter named version, the first value that looks like one.
    const byValue = await settle(h, (await send('Acme-Deploy', {Channel: ['stable'], Build: ['2.0.0-bad']}, [ids[1]!])).Command!.CommandId!)
    expect(byValue[0]!.Status).toBe('Failed')
    expect(instancesOf(h)).toEqual([
      ['1.1.0', 'Healthy'],
      ['2.0.0-bad', 'Healthy'],
    ])
    const nothing = await settle(h, (await send('Acme-Deploy', {Channel: ['stable']}, [ids[0]!])).Command!.CommandId!)
    expect(nothing[0]!.Status).toBe('Success')
    expect(instancesOf(h)[0]).toEqual(['1.1.0', 'Healthy'])
  })

  it('runs release-sim lines through AWS-RunPowerShellScript too', async () => {
    const {h, ids} = await fleet()
    const sent = await h.clients.ssm.send(
      new SendCommandCommand({DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [ids[0]!], Parameters: {commands: ['release-sim set-version 1.3.0']}}),
    )
    const done = await settle(h, sent.Command!.CommandId!)
    expect(done[0]!.CommandPlugins![0]).toMatchObject({Name: 'aws:runPowerShellScript', Status: 'Success'})
    expect(instancesOf(h)[0]).toEqual(['1.3.0', 'Healthy'])
  })
})
