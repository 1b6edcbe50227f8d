/**
 * Throttling that outlasts the retries before a release starts is said for what it is, with the next
 * step: not a template or fleet problem, not "a bug". Nothing is changed or recorded.
 */
import {describe, expect, it} from 'vitest'
import {rollout} from '../../src/app/release.js'
import type {SimAccount} from '../../src/sim/index.js'
import type {VirtualClock} from '../../src/util/clock.js'
import {openIncremental, versionCounts} from '../fakes/incremental.js'
import {openProject} from '../fakes/workspace.js'

/** Every call to `service` throttled for a day: longer than any retry rides out. */
function throttleForADay(sim: SimAccount, clock: VirtualClock, service: 'cloudformation' | 'autoscaling' | 'ssm'): void {
  sim.setFaults({...sim.faults, throttle: {rate: 1, services: [service], until: clock.now() + 24 * 3_600_000}})
}

describe('throttling before a release starts', () => {
  it.each(['autoscaling', 'ssm'] as const)('of %s, for an incremental target: E_THROTTLED, nothing recorded', async (service) => {
    const {ws, sim, clock} = await openIncremental({instances: 4})
    throttleForADay(sim, clock, service)
    const refused = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim}).catch((error: unknown) => error)
    expect(refused).toMatchObject({code: 'E_THROTTLED'})
    expect((refused as {hint: string}).hint).toMatch(/nothing was changed/)
    expect((await ws.ledger.read('api')).releases).toEqual([])
    expect(versionCounts(sim)).toEqual({'1.0.0': 4})
  })

  it('of cloudformation, for an immutable target: E_THROTTLED, not E_TEMPLATE', async () => {
    const {ws, sim, clock} = await openProject()
    throttleForADay(sim, clock, 'cloudformation')
    const refused = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim}).catch((error: unknown) => error)
    expect(refused).toMatchObject({code: 'E_THROTTLED'})
    expect((await ws.ledger.read('web')).releases).toEqual([])
  })
})
