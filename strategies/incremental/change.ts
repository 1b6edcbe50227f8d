import type {SendCommandInput} from '../../src/ports/commands.js'
import {versionProblem} from '../../src/util/version.js'
import type {ChangeSettings} from './deps.js'

export const SHELL_DOCUMENTS = new Set(['AWS-RunShellScript', 'AWS-RunPowerShellScript'])

/**
 * The Run Command that puts `version` on instances and checks it: with a shell document, the apply
 * lines then the verify lines in one command (one call, one invocation per instance to watch); with a
 * custom document, its version parameter and `{{version}}` in its parameter values. `{{version}}` is replaced as a plain word: versions are
 * limited to letters, digits and `._+-` and never start with `-`, and release.yml refuses the
 * placeholder where a shell would evaluate it again (backticks, `$(...)`, eval, `sh -c`).
 */
export function changeCommand(change: ChangeSettings, version: string, instanceIds: string[], comment: string): SendCommandInput {
  // Every version is checked where it enters; this is the last line of defence before a shell.
  const problem = versionProblem(version)
  if (problem !== undefined) throw new Error(`refusing to send a change: ${problem}`)
  if (SHELL_DOCUMENTS.has(change.document)) {
    return {
      documentName: change.document,
      instanceIds,
      parameters: {commands: [...change.apply, ...change.verify].map((line) => substitute(line, version))},
      comment,
    }
  }
  // Other documents: `{{version}}` in parameter values (release.yml checked where it may stand), and
  // the version parameter when one is named.
  const parameters = Object.fromEntries(Object.entries(change.parameters).map(([name, values]) => [name, values.map((value) => substitute(value, version))]))
  return {
    documentName: change.document,
    instanceIds,
    parameters: change.versionParameter === undefined ? parameters : {...parameters, [change.versionParameter]: [version]},
    comment,
  }
}

export function substitute(line: string, version: string): string {
  return line.replaceAll('{{version}}', version)
}
