/**
 * Red/black traffic order, seen from the account: a group leaves the traffic sources only once the
 * group that takes its place serves there, all its instances healthy; on the way back, the old group
 * serves again before the new one leaves. Checked at the moment of every DetachTrafficSources call.
 */
import {describe, expect, it} from 'vitest'
import {rollout} from '../../../src/app/release.js'
import type {SimAccount} from '../../../src/sim/index.js'
import {versionsTakingTraffic} from '../../fakes/account.js'
import {openProject, TRAFFIC_SOURCE} from '../../fakes/workspace.js'

interface TrafficCall {
  call: 'attach' | 'detach'
  group: string
  /** When the call was made: the other groups at the source, with their instances serving (InService and healthy). */
  serving: Record<string, {state: string; servingInstances: number; desired: number}>
}

/** Records every Attach/DetachTrafficSources call with what served at that moment. */
function recordTrafficCalls(sim: SimAccount): TrafficCall[] {
  const calls: TrafficCall[] = []
  const handle = sim.handle.bind(sim)
  sim.handle = async (service, commandName, input) => {
    if (service === 'autoscaling' && (commandName === 'AttachTrafficSources' || commandName === 'DetachTrafficSources')) {
      const view = sim.view()
      const group = (input as {AutoScalingGroupName: string}).AutoScalingGroupName
      const source = view.trafficSources.find((s) => s.identifier === TRAFFIC_SOURCE)
      const serving = Object.fromEntries(
        (source?.groups ?? [])
          .filter((g) => g.name !== group)
          .map((g) => [g.name, {state: g.state, servingInstances: g.servingInstances, desired: view.groups.find((v) => v.name === g.name)?.desired ?? -1}]),
      )
      calls.push({call: commandName === 'AttachTrafficSources' ? 'attach' : 'detach', group, serving})
    }
    return handle(service, commandName, input)
  }
  return calls
}

/** The group of a release's stack (release-web-N), as the account names it. */
function groupOf(sim: SimAccount, stackName: string): string {
  const group = sim.view().groups.find((g) => g.stackName === stackName)
  if (!group) throw new Error(`no group for ${stackName}`)
  return group.name
}

/** Every other group at the source serves with all its desired instances. */
function fullyServing(serving: TrafficCall['serving'], group: string): boolean {
  const s = serving[group]
  return s !== undefined && s.state === 'InService' && s.servingInstances === s.desired && s.desired > 0
}

describe('the order of traffic moves of an immutable release', () => {
  it('detaches the old group only once the new one serves with every instance healthy', async () => {
    const {ws, sim} = await openProject({capacity: 3})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const calls = recordTrafficCalls(sim)
    const result = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    const [oldGroup, newGroup] = [groupOf(sim, 'release-web-1'), groupOf(sim, 'release-web-2')]

    const order = calls.map((c) => `${c.call} ${c.group}`)
    expect(order.indexOf(`attach ${newGroup}`)).toBeGreaterThanOrEqual(0)
    expect(order.indexOf(`detach ${oldGroup}`)).toBeGreaterThan(order.indexOf(`attach ${newGroup}`))
    const detachOld = calls.find((c) => c.call === 'detach' && c.group === oldGroup)!
    expect(fullyServing(detachOld.serving, newGroup), JSON.stringify(detachOld.serving)).toBe(true)
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
  })

  it('on the way back, detaches the new group only once the old one serves again', async () => {
    const {ws, sim} = await openProject({capacity: 3, bake: '10m'})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    // Healthy through the shift, then degrading in the bake: traffic has moved and must move back.
    sim.setFaults({degradeVersions: [{pattern: '*-flaky', afterSeconds: 900}]})
    const calls = recordTrafficCalls(sim)
    const result = await rollout(ws, {target: 'web', version: '2.0.0-flaky'}, {}, {sim})
    expect(result.outcome, result.message).toBe('rolledBack')
    const oldGroup = groupOf(sim, 'release-web-1')
    const newGroup = calls.find((c) => c.call === 'attach' && c.group !== oldGroup)!.group

    const order = calls.map((c) => `${c.call} ${c.group}`)
    const reattach = order.lastIndexOf(`attach ${oldGroup}`)
    const detachNew = order.lastIndexOf(`detach ${newGroup}`)
    expect(order.indexOf(`detach ${oldGroup}`)).toBeLessThan(reattach)
    expect(detachNew).toBeGreaterThan(reattach)
    expect(fullyServing(calls[detachNew]!.serving, oldGroup), JSON.stringify(calls[detachNew]!.serving)).toBe(true)
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
  })
})
