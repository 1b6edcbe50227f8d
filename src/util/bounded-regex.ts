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

export function testWithin(regex: RegExp, value: string, limitMs = 250): boolean {
  if (value.length > MAX_MATCHED_CHARS) return false
  try {
    return runInNewContext('regex.test(value)', {regex, value}, {timeout: limitMs}) === true
  } catch (error) {
    if ((error as {code?: string}).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new RegexTimeout(regex.source, limitMs)
    throw error
  }
}
