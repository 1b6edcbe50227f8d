import {existsSync, readFileSync, writeFileSync, mkdirSync, unlinkSync, rmSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {makeProject} from '../fakes/workspace.js'
import {json, release} from './cli.js'

/** Nothing a user can cause prints a stack trace. */
function expectNoStack(stderr: string) {
  expect(stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/)
}

describe('release CLI on the simulated account', () => {
  it('rolls out, rolls a bad version back on its own, and rolls back by hand', async () => {
    const cwd = makeProject()
    const first = await release(['rollout', 'web', '--version', '1.0.0'], {cwd})
    expect(first.stderr).toMatch(/\[web-1\] -> provisioning/)
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/live 1\.0\.0/)

    const second = await release(['rollout', 'web', '--version', '2.0.0', '--json'], {cwd})
    expect(second.code).toBe(0)
    expect(json(second)).toMatchObject({target: 'web', liveVersion: '2.0.0', release: {id: 'web-2', version: '2.0.0', strategy: 'immutable', state: 'succeeded', outcome: 'succeeded'}})

    const bad = await release(['rollout', 'web', '--version', '2.1.0-bad'], {cwd})
    expect(bad.code).toBe(3)
    expect(bad.stdout).toMatch(/rolled back/)

    const status = json(await release(['status', 'web', '--json'], {cwd}))
    expect(status).toMatchObject({target: 'web', liveVersion: '2.0.0', release: {id: 'web-3', version: '2.1.0-bad', outcome: 'rolledBack'}})

    const back = await release(['rollback', 'web', '--json'], {cwd})
    expect(back.code).toBe(0)
    expect(json(back)).toMatchObject({liveVersion: '1.0.0', release: {id: 'web-4', kind: 'rollback', version: '1.0.0', outcome: 'succeeded'}})

    const history = json<any[]>(await release(['history', 'web', '--json'], {cwd}))
    expect(history.map((r) => [r.id, r.version, r.outcome])).toEqual([
      ['web-4', '1.0.0', 'succeeded'],
      ['web-3', '2.1.0-bad', 'rolledBack'],
      ['web-2', '2.0.0', 'succeeded'],
      ['web-1', '1.0.0', 'succeeded'],
    ])

    const account = json(await release(['sim', 'show', '--json'], {cwd}))
    const source = account.trafficSources[0]
    const serving = source.groups.filter((g: any) => g.state === 'InService').flatMap((g: any) => g.versions)
    expect([...new Set(serving)]).toEqual(['1.0.0'])
    const shown = await release(['sim', 'show'], {cwd})
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(/release-web-1/)
  })

  it('refuses a rollout while another release holds the lease (exit 4), naming the holder', async () => {
    const cwd = makeProject()
    mkdirSync(join(cwd, '.release', 'locks'), {recursive: true})
    const since = new Date().toISOString()
    const expires = new Date(Date.now() + 10 * 60_000).toISOString()
    writeFileSync(
      join(cwd, '.release', 'locks', 'web.json'),
      JSON.stringify({target: 'web', holder: `ci@${hostname()} pid ${process.pid}`, host: hostname(), pid: process.pid, releaseId: 'web-1', since, expires}),
    )
    const locked = await release(['rollout', 'web', '--version', '1.0.0'], {cwd})
    expect(locked.code).toBe(4)
    expect(locked.stderr).toMatch(/E_LOCKED/)
    expect(locked.stderr).toContain(`pid ${process.pid}`)
    expect(locked.stderr).toContain(expires)
    expectNoStack(locked.stderr)
    expect(json(await release(['status', 'web', '--json'], {cwd})).release).toBeNull()
  })

  it('takes over a lease left by a dead process once it has expired', async () => {
    const cwd = makeProject()
    mkdirSync(join(cwd, '.release', 'locks'), {recursive: true})
    writeFileSync(
      join(cwd, '.release', 'locks', 'web.json'),
      JSON.stringify({target: 'web', holder: 'gone@elsewhere pid 1', host: 'elsewhere', pid: 1, releaseId: 'web-1', since: '2026-01-01T00:00:00.000Z', expires: '2026-01-01T00:05:00.000Z'}),
    )
    const result = await release(['rollout', 'web', '--version', '1.0.0'], {cwd})
    expect(result.code).toBe(0)
    expect(existsSync(join(cwd, '.release', 'locks', 'web.json'))).toBe(false)
  })
})

describe('bad input: exit 2, a clear error, nothing changed', () => {
  async function expectRefused(cwd: string, args: string[], pattern: RegExp) {
    const result = await release(args, {cwd})
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(pattern)
    expectNoStack(result.stderr)
    expect(existsSync(join(cwd, '.release', 'sim', 'account.json')) ? readFileSync(join(cwd, '.release', 'sim', 'account.json'), 'utf8') : '').not.toMatch(/release-web/)
    return result
  }

  it('no release.yml', async () => {
    const cwd = join(tmpdir(), `release-empty-${process.pid}-${Date.now()}`)
    mkdirSync(cwd, {recursive: true})
    const result = await release(['rollout', 'web', '--version', '1.0.0'], {cwd})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/release\.yml/)
    expectNoStack(result.stderr)
  })

  it('malformed release.yml names file and line', async () => {
    const cwd = makeProject()
    writeFileSync(join(cwd, 'release.yml'), 'targets:\n  web:\n    strategy: [immutable\n')
    await expectRefused(cwd, ['rollout', 'web', '--version', '1.0.0'], /release\.yml:\d+/)
  })

  it('unknown target', async () => {
    await expectRefused(makeProject(), ['rollout', 'api', '--version', '1.0.0'], /api.*\n.*web/s)
  })

  it.each([['1 0'], ['x'.repeat(129)], ['1.0;rm']])('bad version %j', async (version) => {
    await expectRefused(makeProject(), ['rollout', 'web', '--version', version], /E_VERSION/)
  })

  it('empty version', async () => {
    await expectRefused(makeProject(), ['rollout', 'web', '--version', ''], /version/i)
  })

  it('missing template', async () => {
    const cwd = makeProject()
    unlinkSync(join(cwd, 'web.yml'))
    await expectRefused(cwd, ['rollout', 'web', '--version', '1.0.0'], /release\.yml:\d+.*web\.yml/s)
  })

  it('invalid template names its own file and line', async () => {
    const cwd = makeProject()
    writeFileSync(join(cwd, 'web.yml'), 'Resources:\n  Group:\n    Type: [AWS::AutoScaling::AutoScalingGroup\n')
    await expectRefused(cwd, ['rollout', 'web', '--version', '1.0.0'], /web\.yml:\d+/)
  })

  it('a parameter the template lacks', async () => {
    const cwd = makeProject({extra: ''})
    const config = readFileSync(join(cwd, 'release.yml'), 'utf8').replace('DesiredCapacity: 3', 'DesiredCapacity: 3\n      Colour: blue')
    writeFileSync(join(cwd, 'release.yml'), config)
    await expectRefused(cwd, ['rollout', 'web', '--version', '1.0.0'], /Colour/)
  })

  it('rollback with no earlier version', async () => {
    await expectRefused(makeProject(), ['rollback', 'web'], /no earlier version/)
  })

  it('an unknown flag is a usage error', async () => {
    const result = await release(['rollout', 'web', '--versoin', '1'], {cwd: makeProject()})
    expect(result.code).toBe(2)
    expectNoStack(result.stderr)
  })
})

describe('start-up', () => {
  it.each([[['--help']], [['status', 'web']], [['history', 'web']], [['rollout', '--help']]])('%j never loads the AWS SDK', async (args) => {
    const cwd = makeProject()
    const track = join(cwd, 'imports.txt')
    const result = await release(args, {cwd, env: {RELEASE_TRACK_IMPORTS: track}, nodeArgs: ['--import', join(import.meta.dirname, 'track-imports.mjs')]})
    expect(result.code).toBe(0)
    const loaded = readFileSync(track, 'utf8')
    expect(loaded).toMatch(/@oclif/)
    expect(loaded).not.toMatch(/@aws-sdk|@smithy|client-cloudformation|vendor\/client-dynamodb/)
    rmSync(track)
  })

  it('a second status starts from the remembered release.yml, without the YAML parser', async () => {
    const cwd = makeProject()
    expect((await release(['status', 'web'], {cwd})).code).toBe(0)
    const track = join(cwd, 'imports.txt')
    const again = await release(['status', 'web'], {cwd, env: {RELEASE_TRACK_IMPORTS: track}, nodeArgs: ['--import', join(import.meta.dirname, 'track-imports.mjs')]})
    expect(again.code).toBe(0)
    expect(readFileSync(track, 'utf8')).not.toMatch(/node_modules\/yaml\//)
  })

  it('prints no warnings on a normal run', async () => {
    const cwd = makeProject()
    const result = await release(['rollout', 'web', '--version', '1.0.0'], {cwd})
    expect(result.code).toBe(0)
    expect(result.stderr).not.toMatch(/Warning|NodeVersionSupportWarning|ExperimentalWarning/)
  })
})


describe('locks', () => {
  it('lists a lock and breaks it with unlock --force', async () => {
    const cwd = makeProject()
    mkdirSync(join(cwd, '.release', 'locks'), {recursive: true})
    const expires = new Date(Date.now() + 10 * 60_000).toISOString()
    writeFileSync(
      join(cwd, '.release', 'locks', 'web.json'),
      JSON.stringify({target: 'web', holder: 'ci@runner-7 pid 4242', host: 'runner-7', pid: 4242, releaseId: 'web-1', since: new Date().toISOString(), expires}),
    )
    const locks = json<any[]>(await release(['locks', '--json'], {cwd}))
    expect(locks).toMatchObject([{target: 'web', holder: 'ci@runner-7 pid 4242', releaseId: 'web-1', stale: false}])

    const withoutForce = await release(['unlock', 'web'], {cwd})
    expect(withoutForce.code).toBe(2)

    const broken = await release(['unlock', 'web', '--force'], {cwd})
    expect(broken.code).toBe(0)
    expect(broken.stdout).toMatch(/held by ci@runner-7 pid 4242 for web-1/)
    expect(json<any[]>(await release(['locks', '--json'], {cwd}))).toEqual([])
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd})).code).toBe(0)

    const again = await release(['unlock', 'web', '--force'], {cwd})
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/E_NOT_LOCKED/)
  })
})

describe('--json errors', () => {
  it('prints the error as JSON on stdout for a pipeline, with the exit code', async () => {
    const cwd = makeProject()
    const result = await release(['rollout', 'web', '--version', '1 0', '--json'], {cwd})
    expect(result.code).toBe(2)
    expect(json(result)).toMatchObject({error: {code: 'E_VERSION', exitCode: 2}})
  })
})
