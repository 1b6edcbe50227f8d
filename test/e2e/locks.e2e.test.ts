/**
 * `release unlock --force` through the built CLI: a damaged lock is removed with exit 0 and said so;
 * the lock of a holder alive on this machine is refused with exit 4 (issues 15 and 16).
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {makeProject} from '../fakes/workspace.js'
import {release} from './cli.js'

function lockFile(cwd: string): string {
  mkdirSync(join(cwd, '.release', 'locks'), {recursive: true})
  return join(cwd, '.release', 'locks', 'web.json')
}

describe('release unlock --force', () => {
  it('removes a damaged lock (an expiry that is not a time), saying so, with exit 0', async () => {
    const cwd = makeProject()
    const file = lockFile(cwd)
    writeFileSync(file, JSON.stringify({target: 'web', holder: 'ci@runner-7 pid 0', host: 'runner-7', pid: 0, releaseId: 'web-1', since: 'now', expires: 'soon'}))
    const rollout = await release(['rollout', 'web', '--version', '1.0.0'], {cwd})
    expect(rollout.code).toBe(4)
    expect(rollout.stderr).toMatch(/E_STATE_CORRUPT/)

    const unlocked = await release(['unlock', 'web', '--force'], {cwd})
    expect(unlocked.code).toBe(0)
    expect(unlocked.stdout).toMatch(/removed the damaged lock of web/)
    expect(existsSync(file)).toBe(false)
  })

  it('refuses the lock of a holder alive on this machine, with exit 4, and leaves it', async () => {
    const cwd = makeProject()
    const file = lockFile(cwd)
    const holder = spawn('sleep', ['30'], {stdio: 'ignore'})
    try {
      const now = Date.now()
      writeFileSync(
        file,
        JSON.stringify({target: 'web', holder: `ci@${hostname()} pid ${holder.pid}`, host: hostname(), pid: holder.pid, releaseId: 'web-1', since: new Date(now).toISOString(), expires: new Date(now + 300_000).toISOString(), token: 3}),
      )
      const refused = await release(['unlock', 'web', '--force'], {cwd})
      expect(refused.code).toBe(4)
      expect(refused.stderr).toMatch(/E_HOLDER_ALIVE/)
      expect(refused.stderr).toContain(`pid ${holder.pid}`)
      expect(existsSync(file)).toBe(true)
    } finally {
      holder.kill('SIGKILL')
    }
  })
})
