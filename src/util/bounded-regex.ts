import {runInNewContext} from 'node:vm'

/**
 * A regular expression from a file (a template's AllowedPattern) may backtrack for longer than anyone
 * waits (`(a+)+$` on a near miss). Run in a separate context with a time limit, a match that takes
 * too long is stopped: V8 interrupts regular expression execution like any other script.
 */
export class RegexTimeout extends Error {
  constructor(readonly pattern: string, readonly limitMs: number) {
    super(`the pattern ${pattern} takes more than ${limitMs} ms to match`)
  }
}

/** A CloudFormation parameter value is at most 4,096 bytes; longer input is not matched at all. */
export const MAX_MATCHED_CHARS = 4096

/**
 * The limit is wall time, so a busy machine can stop a harmless pattern (a CI runner at full load
 * does not schedule the script for 250 ms). A pattern that ran out of time is tried once more with
 * eight times the limit: a catastrophic pattern backtracks exponentially and runs out again, a
 * starved one finishes.
 */
export function testWithin(regex: RegExp, value: string, limitMs = 250): boolean {
  if (value.length > MAX_MATCHED_CHARS) return false
  try {
    return runLimited(regex, value, limitMs)
  } catch (error) {
    if (!isTimeout(error)) throw error
  }
  try {
    return runLimited(regex, value, limitMs * 8)
  } catch (error) {
    if (isTimeout(error)) throw new RegexTimeout(regex.source, limitMs * 8)
    throw error
  }
}

function runLimited(regex: RegExp, value: string, limitMs: number): boolean {
  return runInNewContext('regex.test(value)', {regex, value}, {timeout: limitMs}) === true
}

function isTimeout(error: unknown): boolean {
  return (error as {code?: string}).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT'
}
