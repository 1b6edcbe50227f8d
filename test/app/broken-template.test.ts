import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {statusOf, statusOfAll} from '../../src/app/views.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {ConfigError} from '../../src/config/errors.js'
import {copyQuickstart} from '../fakes/workspace.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

/** The quickstart (web, api, db) with web's template broken, as in the middle of an edit. */
function withBrokenWebTemplate(): string {
  const dir = copyQuickstart('release-broken-')
  dirs.push(dir)
  writeFileSync(join(dir, 'web.yml'), 'Resources: [unclosed\n')
  return dir
}

describe('a broken template of one target', () => {
  it('still refuses the whole file for a command that changes something', async () => {
    const cwd = withBrokenWebTemplate()
    await expect(openWorkspace({cwd})).rejects.toBeInstanceOf(ConfigError)
  })

  it('leaves that target out of read-only commands, which answer for the others', async () => {
    const cwd = withBrokenWebTemplate()
    const ws = await openWorkspace({cwd, readOnly: true})
    expect(Object.keys(ws.config.targets)).toEqual(['api', 'db'])
    expect(ws.config.unreadable).toEqual([expect.objectContaining({target: 'web', problem: expect.stringContaining('web.yml')})])
    expect((await statusOfAll(ws)).map((s) => s.target)).toEqual(['api', 'db'])
    expect((await statusOf(ws, 'api')).target).toBe('api')
    await expect(statusOf(ws, 'web')).rejects.toMatchObject({code: 'E_CONFIG', exitCode: 2, message: expect.stringContaining('left out')})
  })

  it('is refused as before when every target is broken', async () => {
    const cwd = copyQuickstart('release-broken-')
    dirs.push(cwd)
    writeFileSync(join(cwd, 'release.yml'), `targets:\n  web:\n    strategy: immutable\n    template: web.yml\n    trafficSources: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09']\n`)
    writeFileSync(join(cwd, 'web.yml'), 'Resources: [unclosed\n')
    await expect(openWorkspace({cwd, readOnly: true})).rejects.toBeInstanceOf(ConfigError)
  })
})
