/**
 * The `network` fault: a share of the calls fails as a real transport does. A connection reset or a
 * timeout before the request reaches the service leaves nothing done; the same after the service
 * carried the call out loses only the answer, so the caller cannot tell whether its call happened.
 * Both draws come from the account's seeded PRNG, so a run with a seed fails the same calls again.
 */
import type {Random} from './random.js'
import type {SimFaults, SimService} from './types.js'

export type NetworkFailure = {when: 'before' | 'after'; error: Error}

/** The failure this call meets, if any (each call draws once, and a failing one twice more). */
export function networkFailure(faults: SimFaults, service: SimService, random: Random): NetworkFailure | undefined {
  const network = faults.network
  if (!network || !(network.rate > 0)) return undefined
  if (network.services && !network.services.includes(service)) return undefined
  if (random.next() >= Math.min(1, network.rate)) return undefined
  const when = random.next() < 0.5 ? 'before' : 'after'
  return {when, error: random.next() < 0.5 ? connectionReset() : socketTimeout()}
}

/** What Node's HTTP client rejects with when the peer resets the connection. */
function connectionReset(): Error {
  return Object.assign(new Error('read ECONNRESET'), {code: 'ECONNRESET', errno: -104, syscall: 'read'})
}

/** What the SDK's Node HTTP handler rejects with when the socket stays silent past its timeout. */
function socketTimeout(): Error {
  const error = new Error('Connection timed out after 30000 ms (simulated network fault)')
  error.name = 'TimeoutError'
  return error
}
