/** Usage errors as a user and a pipeline meet them: a did-you-mean, exit 2, and JSON on stdout with --json. */
import {setImmediate as yieldToLoop} from 'node:timers/promises'
import {describe, expect, it} from 'vitest'
import {makeProject} from '../fakes/workspace.js'
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
