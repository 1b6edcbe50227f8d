import {copyFileSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadConfigCached} from '../../src/config/cache.js'

const QUICKSTART = resolve(import.meta.dirname, '../../examples/quickstart')

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-cache-'))
  for (const file of ['release.yml', 'web.yml', 'db.yml']) copyFileSync(join(QUICKSTART, file), join(dir, file))
  return dir
}

describe('the remembered release.yml', () => {
  it('is reloaded when release.yml or a template changes, and refuses what the file now refuses', async () => {
    const dir = project()
    const first = await loadConfigCached(undefined, {cwd: dir})
    expect(first.targets.web!.strategy).toBe('immutable')
    expect((await loadConfigCached(undefined, {cwd: dir})).targets.web).toEqual(first.targets.web)

    writeFileSync(join(dir, 'release.yml'), readFileSync(join(dir, 'release.yml'), 'utf8').replace('retain: 1', 'retain: 2'))
    const edited = await loadConfigCached(undefined, {cwd: dir})
    expect(edited.targets.web).toMatchObject({retain: 2})

    writeFileSync(join(dir, 'web.yml'), readFileSync(join(dir, 'web.yml'), 'utf8').replace('Type: AWS::AutoScaling::AutoScalingGroup', 'Type: [broken'))
    await expect(loadConfigCached(undefined, {cwd: dir})).rejects.toMatchObject({exitCode: 2, message: expect.stringMatching(/web\.yml:\d+/)})
  })
})

describe('the config cache of tests', () => {
  it('lives in the test file\'s own temp directory (test/setup.ts), never in the user\'s', async () => {
    const {readdirSync} = await import('node:fs')
    const {userInfo} = await import('node:os')
    expect(tmpdir()).toMatch(/release-tests-[^/]+$/)
    const dir = project()
    await loadConfigCached(undefined, {cwd: dir})
    expect(readdirSync(join(tmpdir(), `release-${userInfo().uid}`)).some((f) => /^config-.*\.json$/.test(f))).toBe(true)
  })
})

describe('pruning the config cache', () => {
  it('drops entries unused for too long, the least recently used beyond the limit, and stale temp files', async () => {
    const {pruneCache} = await import('../../src/config/cache.js')
    const {utimesSync, readdirSync} = await import('node:fs')
    const dir = mkdtempSync(join(tmpdir(), 'release-cache-prune-'))
    const now = Date.parse('2026-06-01T00:00:00Z')
    const day = 24 * 3600_000
    const write = (name: string, ageMs: number) => {
      writeFileSync(join(dir, name), '{}')
      const at = new Date(now - ageMs)
      utimesSync(join(dir, name), at, at)
    }
    write('config-old.json', 30 * day)
    for (let i = 0; i < 5; i++) write(`config-${i}.json`, i * 1000)
    write('config-x.json.123.tmp', 2 * day)
    write('other.txt', 90 * day)
    const removed = pruneCache(dir, now, {maxAgeMs: 14 * day, maxEntries: 3})
    expect(removed.sort()).toEqual(['config-3.json', 'config-4.json', 'config-old.json', 'config-x.json.123.tmp'])
    expect(readdirSync(dir).sort()).toEqual(['config-0.json', 'config-1.json', 'config-2.json', 'other.txt'])
  })
})
