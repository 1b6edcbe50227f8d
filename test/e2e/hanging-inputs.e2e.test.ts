/**
 * Inputs that used to hang the CLI end promptly with exit 2 and a message saying what is wrong. The
 * tests assert the outcome; the generous timeouts only keep a regression from hanging the suite.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {copyQuickstart} from '../fakes/workspace.js'
import {release} from './cli.js'

/** The quickstart's files in a temp directory, never the state a user left in examples/quickstart. */
const project = (): string => copyQuickstart('release-hang-')

function edit(file: string, change: (text: string) => string): void {
  writeFileSync(file, change(readFileSync(file, 'utf8')))
}

/** 9 levels of 9 aliases each: a few hundred bytes standing for 9^9 (387 million) values. */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]']
  for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`)
  return `AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n${lines.map((l) => `  ${l}`).join('\n')}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n`
}

describe('inputs that would hang the CLI', {timeout: 60_000}, () => {
  it('a FIFO as --config', async () => {
    const cwd = project()
    execFileSync('mkfifo', [join(cwd, 'fifo.yml')])
    const result = await release(['status', '--config', 'fifo.yml'], {cwd})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/fifo\.yml: is not a regular file \(a FIFO\)/)
  })

  it('stateDir: /proc/self', async () => {
    const cwd = project()
    edit(join(cwd, 'release.yml'), (t) => t.replace('account: simulated', 'account: simulated\nstateDir: /proc/self'))
    const result = await release(['rollout', 'api', '--version', '2.0.0'], {cwd})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/stateDir \/proc\/self is in \/proc .*pseudo-filesystem/)
  })

  it.each(['1e-300', '1e300'])('RELEASE_SIM_SPEED=%s', async (speed) => {
    const cwd = project()
    const result = await release(['rollout', 'api', '--version', '2.0.0'], {cwd, env: {RELEASE_SIM_SPEED: speed}})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(new RegExp(`E_SIM_SPEED.*RELEASE_SIM_SPEED=${speed} is outside`))
    expect(JSON.parse((await release(["status", "api", "--json"], {cwd})).stdout)).toMatchObject({release: null})
  })

  it('an alias bomb in a template', async () => {
    const cwd = project()
    writeFileSync(join(cwd, 'web.yml'), aliasBomb())
    const result = await release(['rollout', 'web', '--version', '2.0.0'], {cwd})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/expands to more than \d+ values/)
  })

  it('an AllowedPattern that backtracks catastrophically', async () => {
    const cwd = project()
    edit(join(cwd, 'web.yml'), (t) => t.replace("AllowedPattern: '[A-Za-z0-9._+-]{1,128}'", "AllowedPattern: '(a+)+b'"))
    const result = await release(['rollout', 'web', '--version', 'a'.repeat(60)], {cwd})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/AllowedPattern \(a\+\)\+b of parameter 'Version' takes more than \d+ ms/)
  })

  it('a fault pattern with many stars is matched in linear time, and the release ends', async () => {
    const cwd = project()
    edit(join(cwd, 'release.yml'), (t) => t.replace("unhealthyVersions: ['*-bad']", `unhealthyVersions: ['${'*a'.repeat(30)}b']`))
    const result = await release(['rollout', 'api', '--version', 'a'.repeat(60)], {cwd})
    expect(result.code, result.stderr).toBe(0)
  })
})
