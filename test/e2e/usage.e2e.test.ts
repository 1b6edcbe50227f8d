/** Usage errors as a user and a pipeline meet them: a did-you-mean, exit 2, and JSON on stdout with --json. */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setImmediate as yieldToLoop} from 'node:timers/promises'
import {describe, expect, it} from 'vitest'
import {copyQuickstart, makeProject} from '../fakes/workspace.js'
import {json, release} from './cli.js'

describe('usage errors', () => {
  it('suggests the command meant, exit 2, as JSON with --json', async () => {
    const cwd = makeProject()
    const result = await release(['rollotu', 'web', '--version', '1.0.0', '--json'], {cwd})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/did you mean release rollout\?/)
    expect(json(result)).toMatchObject({error: {code: 'E_UNKNOWN_COMMAND', exitCode: 2, next: expect.stringMatching(/release rollout/)}})
  })

  it('suggests the flag meant, and a flag parse error is JSON on stdout with --json', async () => {
    const cwd = makeProject()
    const result = await release(['rollout', 'web', '--versoin', '1.0.0', '--json'], {cwd})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/did you mean --version\?/)
    expect(json(result)).toMatchObject({error: {code: 'E_USAGE', message: expect.stringMatching(/--versoin/), exitCode: 2}})
    const missing = await release(['rollout', 'web', '--json'], {cwd})
    expect(missing.code).toBe(2)
    expect(json(missing)).toMatchObject({error: {code: 'E_USAGE', message: expect.stringMatching(/version/)}})
    // oclif's preamble ("The following error occurred:") says nothing: the message is the rule broken.
    expect(missing.stderr).toMatch(/^error E_USAGE: Exactly one of the following must be provided: --version, --version-from\n {2}next: see release help rollout\n/m)
    expect(missing.stderr).not.toMatch(/following error occurred/)
  })

  it('writes a warning as release writes every other one: "warning: " and the whole sentence on one line', async () => {
    const cwd = copyQuickstart()
    const file = join(cwd, 'release.yml')
    // db without its verify line, and db-fleet behind no target group: plan warns that nothing
    // would catch a bad version.
    const yml = readFileSync(file, 'utf8')
    const db = yml.indexOf('\n  db:\n')
    writeFileSync(file, yml.slice(0, db) + yml.slice(db).replace(/ {6}verify: \['release-sim check'\]\n/, ''))
    const result = await release(['plan', 'db', '--version', '2.0.0'], {cwd})
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/^warning: nothing would catch a bad application version: add verify lines to change, or put the fleet behind a target group with a health check\n/m)
    expect(result.stderr).not.toMatch(/›/)
  })

  it('a command whose arguments are refused still counts as parsed: no "did you forget to call this.parse" warning', async () => {
    const cwd = makeProject()
    const warnings: string[] = []
    const onWarning = (warning: Error & {code?: string}) => warnings.push(`${warning.code ?? ''} ${warning.message}`)
    process.on('warning', onWarning)
    try {
      // In this worker (release() runs these in-process), where oclif's warnings would be emitted.
      expect((await release(['rollout', 'web', '--versoin', '1.0.0'], {cwd})).code).toBe(2)
      expect((await release(['unlock'], {cwd})).code).toBe(2)
      // process.emitWarning emits on a later turn.
      await yieldToLoop()
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.filter((w) => w.includes('UnparsedCommand'))).toEqual([])
  })

  it('has a help command', async () => {
    const cwd = makeProject()
    const result = await release(['help', 'rollout'], {cwd})
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/--adopt/)
  })
})
