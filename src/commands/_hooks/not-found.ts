/**
 * oclif's `command_not_found` hook: a mistyped command is a usage error (exit 2) with a "did you
 * mean", like a mistyped target or key, and as JSON on stdout when the pipeline asked for --json.
 */
import type {Hook} from '@oclif/core'
import {suggest} from '../../config/suggest.js'
import {cli} from '../../util/cli-context.js'

const hook: Hook<'command_not_found'> = async function (options) {
  const ids = options.config.commandIDs.filter((id) => !id.startsWith('_'))
  // With a space as topic separator, oclif joins the words it could not match: "rollotu:web".
  const words = options.id.split(':')
  const typed = words[0] ?? options.id
  const twoWords = words.length > 1 ? `${words[0]}:${words[1]}` : undefined
  const topic = twoWords && ids.some((id) => id.startsWith(`${typed}:`))
  const match = (twoWords && suggest(twoWords, ids)) ?? suggest(typed, ids)
  const shown = (id: string) => id.replaceAll(':', ' ')
  const message = `release has no command ${JSON.stringify(shown(topic ? twoWords : typed))}`
  const next = match ? `did you mean release ${shown(match)}? See release help` : `see release help for the commands`
  cli().stderr.write(`error E_UNKNOWN_COMMAND: ${message}\n  next: ${next}\n`)
  if ((options.argv ?? []).includes('--json') || words.includes('--json')) {
    cli().stdout.write(JSON.stringify({error: {code: 'E_UNKNOWN_COMMAND', message, next, exitCode: 2}}, null, 2) + '\n')
  }
  cli().setExitCode(2)
  return undefined
}

export default hook
