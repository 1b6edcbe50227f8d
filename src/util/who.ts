import os from 'node:os'
import {cli} from './cli-context.js'

/**
 * The user running this process. A user the system cannot name (a container without a passwd
 * entry) falls back to $USER, then 'unknown'. One rule for leases, ledgers and notices.
 */
export function userName(): string {
  let user: string | undefined
  try {
    user = os.userInfo().username
  } catch {
    user = undefined
  }
  return user || cli().env.USER || cli().env.USERNAME || 'unknown'
}

/** Who runs this command, as a ledger and a notice name them: `user@host`. */
export function whoAmI(): string {
  return `${userName()}@${os.hostname()}`
}
