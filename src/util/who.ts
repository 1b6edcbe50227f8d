import os from 'node:os'

/**
 * Who runs this command, as a ledger and a notice name them: `user@host`. A user the system cannot
 * name (a container without a passwd entry) falls back to $USER, then 'unknown'.
 */
export function whoAmI(): string {
  let user: string | undefined
  try {
    user = os.userInfo().username
  } catch {
    user = undefined
  }
  return `${user || process.env.USER || process.env.USERNAME || 'unknown'}@${os.hostname()}`
}
