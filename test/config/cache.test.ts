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
