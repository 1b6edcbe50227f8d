/**
 * Through the built binary: a state directory the file system refuses is said for what it is, with
 * the next step and its exit code, never "this looks like a bug in release" (issue 17.4).
 */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {json, release} from './cli.js'
import {makeProject} from '../fakes/workspace.js'

const PRELOAD = ['--import', join(import.meta.dirname, 'refuse-state.mjs')]

describe('a state directory the file system refuses', () => {
  for (const [code, expected] of [
    ['EACCES', 'E_PERMISSION'],
    ['EROFS', 'E_READ_ONLY_FS'],
  ] as const) {
    it(`${code}: ${expected}, exit 1, as text on stderr and JSON on stdout`, async () => {
      const cwd = makeProject()
      const stateDir = join(cwd, '.release')
      const result = await release(['rollout', 'web', '--version', '1.0.0', '--json'], {
        cwd,
        env: {RELEASE_TEST_REFUSE: code, RELEASE_TEST_REFUSE_UNDER: stateDir},
        nodeArgs: PRELOAD,
      })
      expect(result.code, result.stderr).toBe(1)
      expect(result.stderr).toMatch(new RegExp(`error ${expected}: .*${stateDir}`))
      expect(result.stderr).not.toMatch(/bug in release/)
      expect(json(result)).toMatchObject({error: {code: expected, exitCode: 1, next: expect.stringMatching(/stateDir/)}})
    })
  }
})

describe('a release.yml the user may not read', () => {
  it('is a configuration error naming the file and the permission, exit 2', async () => {
    const cwd = makeProject()
    const result = await release(['status', '--json'], {
      cwd,
      env: {RELEASE_TEST_REFUSE: 'EACCES', RELEASE_TEST_REFUSE_UNDER: join(cwd, 'release.yml')},
      nodeArgs: PRELOAD,
    })
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(/release\.yml.*permission denied \(EACCES\)/)
    expect(result.stderr).not.toMatch(/bug in release/)
    expect(json(result)).toMatchObject({error: {code: 'E_CONFIG', exitCode: 2, next: expect.stringMatching(/read access/)}})
  })
})
