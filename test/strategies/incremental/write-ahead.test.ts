/**
 * Write ahead: a window of more than 50 instances goes out in several SendCommand calls. Every instance
 * is journaled as about to change before the call that may change it, so that when a later call fails
 * the way back restores the instances of the calls that went through too.
 */
import {describe, expect, it} from 'vitest'
import {rollout} from '../../../src/app/release.js'
import {statusOf} from '../../../src/app/views.js'
import {ssmErrors} from '../../../src/sim/errors.js'
import type {SimAccount} from '../../../src/sim/index.js'
import {openIncremental, versionCounts} from '../../fakes/incremental.js'

/**
 * SendCommand fails on the second chunk of the first change to `version`: with a client error that is
 * not retried (`refusal: 'invalid'`), or refusing an instance as not managed yet (`'unregistered'`, as
 * SSM does right after launch). Returns how many SendCommands named each instance for that version.
 */
function failSecondChunkOf(sim: SimAccount, version: string, refusal: 'invalid' | 'unregistered' = 'invalid'): Map<string, number> {
  const handle = sim.handle.bind(sim)
  const sends = new Map<string, number>()
  let chunks = 0
  sim.handle = async (service, commandName, input) => {
    const comment = (input as {Comment?: string}).Comment ?? ''
    if (service === 'ssm' && commandName === 'SendCommand' && comment.endsWith(` to ${version}`)) {
      const ids = (input as {InstanceIds: string[]}).InstanceIds
      if (++chunks === 2) {
        if (refusal === 'unregistered') throw ssmErrors.invalidInstanceId(`Instances [[${ids[0]}]] not in a valid state`)
        throw ssmErrors.validation(`1 validation error detected: Value at 'parameters' failed to satisfy constraint`)
      }
      for (const id of ids) sends.set(id, (sends.get(id) ?? 0) + 1)
    }
    return handle(service, commandName, input)
  }
  return sends
}

describe('a window sent in several SendCommand calls', () => {
  it('restores every instance when SendCommand fails on the second chunk of a 120-instance window', async () => {
    const {ws, sim, clock} = await openIncremental({instances: 120, maxUnavailable: '120', canary: 0})
    const config = ws.config.targets.api!
    if (config.strategy !== 'incremental') throw new Error('api is incremental')
    // Managed instances by tags: no Standby, so nothing but the journal knows what was sent.
    config.fleet = {tags: {Role: 'api'}}
    failSecondChunkOf(sim, '2.0.0')
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('rolledBack')
    // Whatever was still running when the release ended has ended too.
    clock.advance(60 * 60_000)
    expect(versionCounts(sim)).toEqual({'1.0.0': 120})
    expect(await statusOf(ws, 'api')).toMatchObject({release: {outcome: 'rolledBack'}})
  })

  it('sends a chunk refused as not managed yet again once the agents are listed: no rollback, no instance sent twice', async () => {
    const {ws, sim} = await openIncremental({instances: 120, maxUnavailable: '120', canary: 0})
    const config = ws.config.targets.api!
    if (config.strategy !== 'incremental') throw new Error('api is incremental')
    config.fleet = {tags: {Role: 'api'}}
    const sends = failSecondChunkOf(sim, '2.0.0', 'unregistered')
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    expect(versionCounts(sim)).toEqual({'2.0.0': 120})
    expect(sends.size).toBe(120)
    expect(Math.max(...sends.values())).toBe(1)
  })
})
