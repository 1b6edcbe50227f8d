import {existsSync, mkdirSync, readFileSync, watch, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {makeProject} from '../fakes/workspace.js'
import {CONCURRENT_TIMEOUT_MS, json, release, startRelease} from './cli.js'

// Every test has its own project directory: they run at once.
describe.concurrent('exit codes through the built binary', {timeout: CONCURRENT_TIMEOUT_MS}, () => {
  it('1: the rollback itself failed, and the message says what is left where', async () => {
    const cwd = makeProject()
    await release(['rollout', 'web', '--version', '1.0.0'], {cwd})
    const result = await release(['rollout', 'web', '--version', '2.0.0-stuck', '--json'], {cwd})
    expect(result.code).toBe(1)
    const status = json(result)
    expect(status).toMatchObject({liveVersion: '1.0.0', release: {outcome: 'failed', state: 'failed'}})
    expect(status.release.message).toMatch(/release-web-2/)
    expect(status.release.message).toMatch(/Next:/)
  })

  it('4: a rollout of a target another rollout holds is refused, and the holder goes on', async () => {
    const cwd = makeProject()
    // The holder is stopped (SIGSTOP) as soon as its lease exists, so the second rollout meets it
    // however fast or slow either process runs; a visible pace only keeps it from ending first.
    const locks = join(cwd, '.release', 'locks')
    mkdirSync(locks, {recursive: true, mode: 0o700})
    const leaseTaken = new Promise<void>((taken) => {
      const watcher = watch(locks, () => {
        if (existsSync(join(locks, 'web.json'))) {
          watcher.close()
          taken()
        }
      })
    })
    const holder = startRelease(['rollout', 'web', '--version', '1.0.0'], {cwd, env: {RELEASE_SIM_SPEED: '200'}})
    try {
      await leaseTaken
      holder.child.kill('SIGSTOP')
      const refused = await release(['rollout', 'web', '--version', '1.0.1'], {cwd})
      expect(refused.code, refused.stderr).toBe(4)
      expect(refused.stderr).toContain(`pid ${holder.child.pid}`)
    } finally {
      holder.child.kill('SIGCONT')
    }
    const ended = await holder.result
    expect(ended.code, ended.stderr).toBe(0)
    const history = json<any[]>(await release(['history', 'web', '--json'], {cwd}))
    expect(history.map((r) => r.version)).toEqual(['1.0.0'])
  })
})

describe.concurrent('state the tool refuses: exit 2, the file named, nothing overwritten', {timeout: CONCURRENT_TIMEOUT_MS}, () => {
  it('a corrupted ledger', async () => {
    const cwd = makeProject()
    await release(['rollout', 'web', '--version', '1.0.0'], {cwd})
    const ledger = join(cwd, '.release', 'targets', 'web', 'ledger.json')
    writeFileSync(ledger, '{"target": "web", "liveVer')
    for (const args of [['status', 'web'], ['rollout', 'web', '--version', '2.0.0']]) {
      const result = await release(args, {cwd})
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/E_STATE_CORRUPT/)
      expect(result.stderr).toContain('ledger.json')
    }
    expect(readFileSync(ledger, 'utf8')).toBe('{"target": "web", "liveVer')
  })

  it('a snapshot written by another machine version', async () => {
    const cwd = makeProject()
    await release(['rollout', 'web', '--version', '1.0.0'], {cwd, env: {RELEASE_TEST_CRASH_AT: 'shifting'}})
    const file = join(cwd, '.release', 'releases', 'web-1', 'snapshot.json')
    const snapshot = JSON.parse(readFileSync(file, 'utf8'))
    snapshot.machineVersion = '0'
    writeFileSync(file, JSON.stringify(snapshot))
    const result = await release(['resume', 'web'], {cwd})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/E_MACHINE_VERSION/)
    expect(result.stderr).toMatch(/version 0/)
  })
})
