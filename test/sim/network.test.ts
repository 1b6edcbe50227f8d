/**
 * The `network` fault of the simulated account: calls fail as a real transport does (a reset or a
 * timeout), half before the service sees them (nothing done) and half after it carried them out
 * (done, the answer lost); seeded, so the same seed fails the same calls the same way.
 */
import {GetParameterCommand, PutParameterCommand} from '@aws-sdk/client-ssm'
import {describe, expect, it} from 'vitest'
import {retryKind} from '../../src/util/retry.js'
import {harness, rejection, temporaryDir} from './helpers.js'

/** Puts values 1..n, each once; what each call met. */
async function putAll(h: ReturnType<typeof harness>, n: number): Promise<string[]> {
  const met: string[] = []
  for (let i = 1; i <= n; i++) {
    const error = await rejection(h.clients.ssm.send(new PutParameterCommand({Name: '/p', Value: String(i), Type: 'String', Overwrite: true}))).catch(() => undefined)
    met.push(error === undefined ? 'ok' : String(error['code'] ?? error.name))
  }
  return met
}

describe('the network fault', () => {
  it('fails a share of the calls with resets and timeouts, half before and half after the service acted', async () => {
    const h = harness({faults: {network: {rate: 1, services: ['ssm']}}})
    const met = await putAll(h, 60)
    expect(new Set(met)).toEqual(new Set(['ECONNRESET', 'TimeoutError']))
    const {before, after, lostAnswers} = h.account.metrics().networkFailures
    expect(before + after).toBe(60)
    expect(before).toBeGreaterThan(15)
    expect(after).toBeGreaterThan(15)
    expect(lostAnswers).toEqual({'ssm:PutParameter': after})

    // Only the calls whose answer was lost changed anything: one parameter version each.
    h.account.setFaults({})
    const read = await h.clients.ssm.send(new GetParameterCommand({Name: '/p'}))
    expect(read.Parameter?.Version).toBe(after)
  })

  it('is what our retry takes for a transport error, not an AWS error', async () => {
    const h = harness({faults: {network: {rate: 1}}})
    const error = await rejection(h.clients.ssm.send(new GetParameterCommand({Name: '/p'})))
    expect(error['$fault']).toBeUndefined()
    expect(retryKind(error)).toBe('transport')
  })

  it('spares other services, and a rate of 0 fails nothing', async () => {
    const spared = harness({faults: {network: {rate: 1, services: ['cloudformation']}}})
    expect(await putAll(spared, 10)).toEqual(Array(10).fill('ok'))
    const none = harness({faults: {network: {rate: 0}}})
    expect(await putAll(none, 10)).toEqual(Array(10).fill('ok'))
  })

  it('is seeded: the same seed fails the same calls the same way, across processes sharing a file', async () => {
    const a = await putAll(harness({seed: 9, faults: {network: {rate: 0.3}}}), 40)
    const b = await putAll(harness({seed: 9, faults: {network: {rate: 0.3}}}), 40)
    expect(a).toEqual(b)
    expect(a.filter((m) => m !== 'ok').length).toBeGreaterThan(4)
    // Saved with the account: a failed call moves the sequence on, so its retry is a new draw.
    const dir = temporaryDir()
    const filed = await putAll(harness({seed: 9, dir, faults: {network: {rate: 0.3}}}), 40)
    expect(filed).toEqual(a)
  })

  it('is refused outside [0, 1]', () => {
    expect(() => harness({faults: {network: {rate: 1.5}}})).toThrow(/network\.rate/)
  })
})
