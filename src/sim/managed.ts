import type {
  DescribeInstanceInformationRequest,
  DescribeInstanceInformationResult,
  InstanceInformation,
} from '@aws-sdk/client-ssm'
import {ssmErrors as errors} from './errors.js'
import {instanceTags} from './instances.js'
import {isManaged} from './invocations.js'
import type {Model} from './model.js'
import {maxResults, page} from './paging.js'
import type {GroupRecord, InstanceRecord} from './types.js'

/**
 * SSM managed instances (DescribeInstanceInformation): every booted instance that is not terminating,
 * Standby ones included (their agent still runs). All are Linux and Online. An instance's tags are its
 * group's propagated tags plus aws:autoscaling:groupName (instances.ts instanceTags); a seeded fleet
 * propagates Name and Role (fleets.ts). Since tags come from the group, tag filters select groups
 * first, so a call costs the size of the fleets it answers about, not of the account.
 */

const AGENT_VERSION = '3.3.1142.0'

type GroupTest = (tags: Record<string, string>) => boolean
type InstanceTest = (instance: InstanceRecord) => boolean

interface Tests {
  groups: GroupTest[]
  instances: InstanceTest[]
}

function oneOf(values: readonly string[], value: string): boolean {
  return values.includes(value)
}

function addTest(tests: Tests, key: string, values: readonly string[]): void {
  if (values.length === 0 || values.length > 100) {
    throw errors.invalidFilterValue(`The filter ${key} needs between 1 and 100 values.`)
  }
  if (key.startsWith('tag:')) {
    const tag = key.slice(4)
    tests.groups.push((tags) => tags[tag] !== undefined && oneOf(values, tags[tag]))
    return
  }
  switch (key) {
    case 'tag-key':
      tests.groups.push((tags) => values.some((value) => tags[value] !== undefined))
      return
    case 'InstanceIds':
    case 'SourceIds':
      tests.instances.push((instance) => oneOf(values, instance.id))
      return
    case 'PingStatus':
      tests.instances.push(() => oneOf(values, 'Online'))
      return
    case 'PlatformType':
    case 'PlatformTypes':
      tests.instances.push(() => oneOf(values, 'Linux'))
      return
    case 'ResourceType':
      tests.instances.push(() => oneOf(values, 'EC2Instance'))
      return
    case 'SourceTypes':
      tests.instances.push(() => oneOf(values, 'AWS::EC2::Instance'))
      return
    case 'AgentVersion':
      tests.instances.push(() => oneOf(values, AGENT_VERSION))
      return
    case 'ActivationIds':
    case 'IamRole':
    case 'AssociationStatus':
      // No simulated instance has an activation, an instance profile or associations.
      tests.instances.push(() => false)
      return
    default:
      throw errors.invalidFilterKey(`The filter key ${key} is not valid.`)
  }
}


function ipAddress(id: string): string {
  const hex = id.slice(-4).padStart(4, '0')
  return `10.0.${parseInt(hex.slice(0, 2), 16) || 0}.${parseInt(hex.slice(2), 16) || 0}`
}

function informationShape(model: Model, instance: InstanceRecord): InstanceInformation {
  const ip = ipAddress(instance.id)
  return {
    InstanceId: instance.id,
    PingStatus: 'Online',
    LastPingDateTime: new Date(model.now),
    AgentVersion: AGENT_VERSION,
    IsLatestVersion: true,
    PlatformType: 'Linux',
    PlatformName: 'Amazon Linux',
    PlatformVersion: '2023',
    ResourceType: 'EC2Instance',
    IPAddress: ip,
    ComputerName: `ip-${ip.replaceAll('.', '-')}.ec2.internal`,
    SourceId: instance.id,
    SourceType: 'AWS::EC2::Instance',
  }
}

function describeInstanceInformation(model: Model, input: DescribeInstanceInformationRequest): DescribeInstanceInformationResult {
  // DescribeInstanceInformation takes 5 to 50.
  const size = maxResults(input.MaxResults, 5, 50, errors.validation)
  const filters = input.Filters ?? []
  const legacy = input.InstanceInformationFilterList ?? []
  if (filters.length > 0 && legacy.length > 0) {
    throw errors.validation('InstanceInformationFilterList and Filters cannot be used in the same request.')
  }
  const tests: Tests = {groups: [], instances: []}
  for (const filter of filters) addTest(tests, filter.Key ?? '', filter.Values ?? [])
  for (const filter of legacy) {
    const key = filter.key ?? ''
    // The legacy list knows no tags.
    if (key.startsWith('tag')) throw errors.invalidFilterKey(`The filter key ${key} is not valid.`)
    addTest(tests, key, filter.valueSet ?? [])
  }

  const groups = Object.values(model.state.groups)
    .filter((group: GroupRecord) => {
      const tags = instanceTags(group)
      return tests.groups.every((test) => test(tags))
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const matched: InstanceRecord[] = []
  for (const group of groups) {
    for (const id of group.instanceIds) {
      const instance = model.state.instances[id]
      if (isManaged(instance) && tests.instances.every((test) => test(instance))) matched.push(instance)
    }
  }
  const {items, nextToken} = page(matched, input.NextToken, size, errors.invalidNextToken)
  return {InstanceInformationList: items.map((instance) => informationShape(model, instance)), NextToken: nextToken}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const MANAGED_INSTANCES: Record<string, (model: Model, input: any) => object> = {
  DescribeInstanceInformation: describeInstanceInformation,
}
