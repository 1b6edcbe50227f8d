import {UserError} from '../errors.js'
import {cli} from '../util/cli-context.js'

/** How long a release's lease holds without renewal: renewed every third of it while the release runs. */
export const DEFAULT_LEASE_TTL_MS = 5 * 60_000

/**
 * The lease TTL, from RELEASE_LEASE_TTL (seconds) when set. For tests and CI only (e.g. to stop a
 * holder with SIGSTOP past its lease in seconds): a short lease in production lets a slow but live
 * release be taken over.
 */
export function leaseTtlMs(env: NodeJS.ProcessEnv = cli().env): number {
  const given = env['RELEASE_LEASE_TTL']?.trim()
  if (!given) return DEFAULT_LEASE_TTL_MS
  const seconds = Number(given)
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 86_400) {
    throw new UserError('E_LEASE_TTL', `RELEASE_LEASE_TTL=${given} is not a number of seconds from 1 to 86400`, 'unset it (the lease then lasts 5 minutes), or set a number of seconds such as 10 (tests and CI only)')
  }
  return seconds * 1000
}
