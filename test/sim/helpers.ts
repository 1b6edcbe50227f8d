import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CreateStackCommand, DescribeStacksCommand, type Stack} from '@aws-sdk/client-cloudformation'
import {DescribeAutoScalingGroupsCommand, type AutoScalingGroup} from '@aws-sdk/client-auto-scaling'
import {paginateListCommandInvocations, SendCommandCommand, type CommandInvocation} from '@aws-sdk/client-ssm'
import {createSimClients, SimAccount, type SimClients, type SimOptions} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'

/** A launch template tagging instances with the Version parameter, and a group of `Capacity` instances. */
export function fleetTemplate(
  options: {targetGroup?: string; minSize?: string; maxSize?: string; healthCheckType?: 'EC2' | 'ELB'; gracePeriod?: number} = {},
): string {
  return JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'simulated fleet',
    Parameters: {
      Version: {Type: 'String', Description: 'the release version'},
      Capacity: {Type: 'Number', Default: '2'},
    },
    Resources: {
      LaunchTemplate: {
        Type: 'AWS::EC2::LaunchTemplate',
        Properties: {
          LaunchTemplateData: {
            ImageId: 'ami-12345678',
            TagSpecifications: [{ResourceType: 'instance', Tags: [{Key: 'Version', Value: {Ref: 'Version'}}]}],
          },
        },
      },
      Group: {
        Type: 'AWS::AutoScaling::AutoScalingGroup',
        Properties: {
          MinSize: options.minSize ?? '0',
          MaxSize: options.maxSize ?? '20',
          DesiredCapacity: {Ref: 'Capacity'},
          LaunchTemplate: {
            LaunchTemplateId: {Ref: 'LaunchTemplate'},
            Version: {'Fn::GetAtt': ['LaunchTemplate', 'LatestVersionNumber']},
          },
          ...(options.targetGroup ? {TargetGroupARNs: [options.targetGroup]} : {}),
          ...(options.healthCheckType ? {HealthCheckType: options.healthCheckType} : {}),
          ...(options.gracePeriod !== undefined ? {HealthCheckGracePeriod: String(options.gracePeriod)} : {}),
          Tags: [{Key: 'Name', Value: {'Fn::Sub': '${AWS::StackName}-instance'}, PropagateAtLaunch: true}],
        },
      },
    },
    Outputs: {
      GroupName: {Value: {Ref: 'Group'}},
      LaunchTemplateId: {Value: {Ref: 'LaunchTemplate'}},
    },
  })
}

export const TARGET_GROUP = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef'

export interface Harness {
  clock: VirtualClock
  account: SimAccount
  clients: SimClients
}

export function harness(options: Partial<SimOptions> = {}): Harness {
  const clock = new VirtualClock()
  // The load balancer's target group exists in the account, as it would before any release.
  // Agents register at boot here (tests of registration delay set agentRegistrationMs themselves).
  const account = SimAccount.open({
    clock,
    seed: 42,
    targetGroups: {[TARGET_GROUP]: {}},
    ...options,
    timings: {agentRegistrationMs: [0, 0], ...options.timings},
  })
  return {clock, account, clients: createSimClients(account)}
}

export function temporaryDir(): string {
  return mkdtempSync(join(tmpdir(), 'release-sim-'))
}

export async function createStack(
  h: Harness,
  name: string,
  version: string,
  options: {capacity?: number; token?: string; template?: string} = {},
): Promise<string> {
  const answer = await h.clients.cloudFormation.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: options.template ?? fleetTemplate(),
      Parameters: [
        {ParameterKey: 'Version', ParameterValue: version},
        {ParameterKey: 'Capacity', ParameterValue: String(options.capacity ?? 2)},
      ],
      Tags: [{Key: 'release:target', Value: 'web'}],
      ClientRequestToken: options.token ?? `${name}-create`,
    }),
  )
  return answer.StackId!
}

export async function describeStack(h: Harness, nameOrId: string): Promise<Stack> {
  const answer = await h.clients.cloudFormation.send(new DescribeStacksCommand({StackName: nameOrId}))
  return answer.Stacks![0]!
}

export async function describeGroup(h: Harness, name: string): Promise<AutoScalingGroup | undefined> {
  const answer = await h.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({AutoScalingGroupNames: [name]}))
  return answer.AutoScalingGroups?.[0]
}

/** Advances virtual time in steps until `check` holds; fails after `limitMs` of virtual time. */
export async function waitFor<T>(
  h: Harness,
  check: () => Promise<T | undefined | false>,
  options: {stepMs?: number; limitMs?: number} = {},
): Promise<T> {
  const step = options.stepMs ?? 1_000
  const limit = options.limitMs ?? 600_000
  for (let waited = 0; waited <= limit; waited += step) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    h.clock.advance(step)
  }
  throw new Error(`condition not met within ${limit} ms of virtual time`)
}

export async function stackStatus(h: Harness, nameOrId: string): Promise<string> {
  return (await describeStack(h, nameOrId)).StackStatus!
}

export async function waitForStatus(h: Harness, nameOrId: string, status: string): Promise<Stack> {
  return waitFor(h, async () => {
    const stack = await describeStack(h, nameOrId)
    return stack.StackStatus === status ? stack : undefined
  })
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  throw new Error('expected the call to fail')
}

/** The instance ids of a group, in launch order. */
export async function groupInstanceIds(h: Harness, name: string): Promise<string[]> {
  return ((await describeGroup(h, name))?.Instances ?? []).map((instance) => instance.InstanceId!)
}

/** Sends AWS-RunShellScript with these lines; answers the command id. */
export async function runShell(h: Harness, instanceIds: string[], commands: string[], comment?: string): Promise<string> {
  const sent = await h.clients.ssm.send(
    new SendCommandCommand({DocumentName: 'AWS-RunShellScript', InstanceIds: instanceIds, Parameters: {commands}, Comment: comment}),
  )
  return sent.Command!.CommandId!
}

/** Every invocation of a command, with details (plugin output). */
export async function listInvocations(h: Harness, commandId: string): Promise<CommandInvocation[]> {
  const all: CommandInvocation[] = []
  for await (const page of paginateListCommandInvocations({client: h.clients.ssm}, {CommandId: commandId, Details: true})) {
    all.push(...(page.CommandInvocations ?? []))
  }
  return all
}

/** Advances virtual time until every invocation of the command has ended; answers them. */
export async function settle(h: Harness, commandId: string, limitMs = 3_600_000): Promise<CommandInvocation[]> {
  return waitFor(
    h,
    async () => {
      const all = await listInvocations(h, commandId)
      return all.length > 0 && all.every((i) => i.Status !== 'Pending' && i.Status !== 'InProgress') ? all : undefined
    },
    {stepMs: 5_000, limitMs},
  )
}
