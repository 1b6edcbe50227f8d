/** An adapter test's world: a simulated account on a virtual clock, and our adapters on its SDK clients. */
import {
  type AdapterRetryOptions,
  AutoScalingFleet,
  CloudFormationStacks,
  SsmCommands,
  SsmParameters,
} from '../../src/aws/index.js'
import type {GroupInfo} from '../../src/ports/fleet.js'
import {createSimClients, SimAccount, type SimDocument, type SimTargetGroup, type SimFaults, type SimFleet} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {pollUntil} from '../../src/util/poll.js'
import {seededRandom} from '../../src/util/random.js'
import {FLEET_TEMPLATE, fleetParameters} from '../fakes/templates.js'

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE

export interface WorldOptions {
  faults?: SimFaults
  seed?: number
  /** Auto Scaling groups that exist from the start, outside any stack (SimOptions.fleets). */
  fleets?: Record<string, SimFleet>
  documents?: Record<string, SimDocument>
  /** Target groups the account has (SimOptions.targetGroups). */
  targetGroups?: Record<string, SimTargetGroup>
}

export function openWorld(options: WorldOptions = {}) {
  const clock = new VirtualClock()
  const account = SimAccount.open({
    clock,
    faults: options.faults,
    seed: options.seed ?? 7,
    fleets: options.fleets,
    documents: options.documents,
    targetGroups: options.targetGroups,
    // Agents register at boot here: these tests are about the adapters, not registration delay.
    timings: {agentRegistrationMs: [0, 0]},
  })
  const clients = createSimClients(account)
  /** Retries the adapters made, by kind of error, so tests can show a storm really happened. */
  const retries = {throttling: 0, transient: 0, transport: 0}
  const retry: AdapterRetryOptions = {random: seededRandom(options.seed ?? 7), onRetry: (a) => retries[a.kind]++}
  const stacks = new CloudFormationStacks({client: clients.cloudFormation, clock, retry})
  const fleet = new AutoScalingFleet({client: clients.autoScaling, clock, retry})
  const commands = new SsmCommands({client: clients.ssm, clock, retry})
  const parameters = new SsmParameters({client: clients.ssm, clock, retry})
  return {clock, account, clients, stacks, fleet, commands, parameters, retries}
}

export type World = ReturnType<typeof openWorld>

/** Creates a fleet stack and waits for it; returns the group's name (the stack's GroupName output). */
export async function createFleet(world: World, stackName: string, version: string, capacity = 2): Promise<string> {
  const token = `${stackName}-create`
  await world.stacks.createStack({
    stackName,
    templateBody: FLEET_TEMPLATE,
    parameters: fleetParameters(version, capacity),
    tags: {'release:target': 'web'},
    token,
  })
  const result = await world.stacks.waitForCreate(stackName, token, {deadline: world.clock.now() + HOUR})
  if (!result.ok) throw new Error(`stack ${stackName} failed: ${result.status} ${result.reason}`)
  const stack = await world.stacks.describeStack(stackName)
  const group = stack?.outputs['GroupName']
  if (!group) throw new Error(`stack ${stackName} has no GroupName output`)
  return group
}

/** Waits until `count` instances of the group are InService (healthy or not). */
export async function inService(world: World, group: string, count: number): Promise<GroupInfo> {
  return pollUntil(
    async () => {
      const info = await world.fleet.describeGroup(group)
      const ready = info?.instances.filter((i) => i.lifecycle === 'InService').length ?? 0
      return info && ready >= count ? info : undefined
    },
    {clock: world.clock, deadline: world.clock.now() + HOUR, intervalMs: 5_000, maxIntervalMs: 15_000, what: `${count} instances of ${group} InService`},
  )
}
