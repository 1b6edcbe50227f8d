import {isUnhealthyVersion} from './faults.js'
import type {InstanceRecord, SimFaults} from './types.js'

/**
 * What the command lines of AWS-RunShellScript (and AWS-RunPowerShellScript: the same tool is on the
 * instances) do on one instance. Lines run in order and the first failing line ends the script, as
 * with `set -e`:
 *
 * - `release-sim set-version <v>` puts version v on the instance. The instance's record changes when
 *   the invocation ends (the caller applies `version`); later lines already see v, and health then
 *   follows v's faults (unhealthyVersions: Unhealthy, otherwise Healthy again).
 * - `release-sim check` fails when the instance is unhealthy: its health is Unhealthy or its version
 *   matches unhealthyVersions (after a set-version: whether v matches).
 * - `release-sim get-version` prints the version alone on a line (no echo), so that a command made
 *   of it alone has the version as its whole standard output; fails when the instance has none.
 * - Any other `release-sim ...` line fails (unknown subcommand), so typos do not pass silently.
 * - Any other line stands for the team's own tools: it prints `$ <line>` and succeeds, except on an
 *   unhealthy instance (as above) when no `set-version` follows it in the same command. Lines before
 *   a set-version prepare the change and run on a broken instance too (so re-applying the last known
 *   good version heals it); lines after it, and lines of commands that change nothing (smoke tests),
 *   fail while the version is broken.
 */

export interface ScriptResult {
  ok: boolean
  output: string
  error: string
  /** The version the instance runs from the end of the invocation, when a set-version ran. */
  version?: string
}

const RELEASE_SIM = /^\s*release-sim(?:\s+(.*?))?\s*$/

export type ScriptLine =
  | {kind: 'set-version'; version?: string; text: string}
  | {kind: 'check' | 'get-version'; text: string}
  | {kind: 'unknown-tool'; text: string}
  | {kind: 'other'; text: string}

export function parseLine(text: string): ScriptLine {
  const tool = RELEASE_SIM.exec(text)
  if (!tool) return {kind: 'other', text}
  const [subcommand = '', ...args] = (tool[1] ?? '').split(/\s+/).filter((word) => word !== '')
  if (subcommand === 'set-version') return {kind: 'set-version', version: args.length === 1 ? args[0] : undefined, text}
  if ((subcommand === 'check' || subcommand === 'get-version') && args.length === 0) return {kind: subcommand, text}
  return {kind: 'unknown-tool', text}
}

/** The non-empty lines of a `commands` parameter (each entry may hold several lines). */
export function scriptLines(commands: readonly string[] | undefined): string[] {
  return (commands ?? []).flatMap((entry) => entry.split('\n')).filter((line) => line.trim() !== '')
}

/** Commands that only read the version: commandFailureRate spares them (see invocations.ts). */
export function onlyReads(lines: readonly string[]): boolean {
  return lines.length > 0 && lines.every((line) => parseLine(line).kind === 'get-version')
}

export function setsVersion(lines: readonly string[]): boolean {
  return lines.some((line) => parseLine(line).kind === 'set-version')
}

export function runScript(lines: readonly string[], instance: InstanceRecord, faults: SimFaults): ScriptResult {
  const parsed = lines.map(parseLine)
  const lastSet = parsed.map((line) => line.kind).lastIndexOf('set-version')
  let version = instance.version
  let unhealthy = instance.health === 'Unhealthy' || isUnhealthyVersion(faults, version)
  let set: string | undefined
  let output = ''
  const fail = (error: string): ScriptResult => ({ok: false, output, error, version: set})

  for (const [index, line] of parsed.entries()) {
    switch (line.kind) {
      case 'set-version':
        if (line.version === undefined) return fail(`release-sim: usage: release-sim set-version <version>\n`)
        version = line.version
        set = line.version
        unhealthy = isUnhealthyVersion(faults, version)
        output += `$ ${line.text}\nversion set to ${version}\n`
        break
      case 'check':
        if (unhealthy) return fail(`release-sim check: version ${version ?? 'unknown'} on ${instance.id} is unhealthy\n`)
        output += `$ ${line.text}\nversion ${version ?? 'unknown'} is healthy\n`
        break
      case 'get-version':
        if (version === undefined) return fail(`release-sim get-version: no version is installed on ${instance.id}\n`)
        output += `${version}\n`
        break
      case 'unknown-tool':
        return fail(`release-sim: unknown command: ${line.text.trim()} (known: set-version <v>, check, get-version)\n`)
      case 'other':
        if (unhealthy && index > lastSet) {
          output += `$ ${line.text}\n`
          return fail(`health check failed: version ${version ?? 'unknown'} on ${instance.id} is not serving\n`)
        }
        output += `$ ${line.text}\n`
        break
    }
  }
  return {ok: true, output, error: '', version: set}
}
