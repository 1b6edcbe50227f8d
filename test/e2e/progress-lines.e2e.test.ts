/**
 * The CI log of a rollout (one line per step, each naming the release): what planning says before
 * the release is recorded (the drift check) comes after the started line, under the release's id.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {copyQuickstart} from '../fakes/workspace.js'
import {release} from './cli.js'

/** The quickstart (environments staging and prod, prod the default) without pacing. */
function quickstart(): string {
  const cwd = copyQuickstart()
  const file = join(cwd, 'release.yml')
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}speed: 20 .*$/m, '  speed: instant'))
  return cwd
}

/** Each line without its timestamp. */
const lines = (stderr: string) => stderr.split('\n').filter(Boolean).map((line) => line.replace(/^\S+ /, ''))

describe('the CI log of a rollout', () => {
  it('starts with the started line; the drift check follows it, every line under the release id', async () => {
    const cwd = quickstart()
    expect((await release(['rollout', 'web', '--version', '2.0.0'], {cwd, env: {CI: 'true'}})).code).toBe(0)
    const second = await release(['rollout', 'web', '--version', '3.0.0'], {cwd, env: {CI: 'true'}})
    expect(second.code, second.stderr).toBe(0)
    const log = lines(second.stderr)
    expect(log[0]).toBe('[prod-web-2] rollout of web to 3.0.0 started (previous: 2.0.0)')
    expect(log.slice(1, 3)).toEqual(['[prod-web-2] -> planning', '[prod-web-2]    planning: drift: web is in sync with 2.0.0'])
    expect(log.filter((line) => !line.startsWith('[prod-web-2] '))).toEqual([])
    expect(log.filter((line) => line === '[prod-web-2] -> planning')).toHaveLength(1)

    const staging = await release(['rollout', 'web', '--env', 'staging', '--version', '3.0.0'], {cwd, env: {CI: 'true'}})
    expect(staging.code, staging.stderr).toBe(0)
    expect(lines(staging.stderr)[0]).toBe('[staging-web-1] rollout of web to 3.0.0 started (previous: none)')
    expect(staging.stderr).not.toMatch(/\[\]/)
  })
})
