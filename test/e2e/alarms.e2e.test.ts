import {describe, expect, it} from 'vitest'
import {copyQuickstart} from '../fakes/workspace.js'
import {json, release} from './cli.js'

describe('the quickstart rolls back on an alarm', () => {
  it('release rollout web --version 2.1.0-alarm ends rolled back (exit 3) on web-5xx-rate, 2.0.0 live; sim show lists the alarm', async () => {
    const cwd = copyQuickstart()
    expect((await release(['rollout', 'web', '--version', '2.0.0'], {cwd})).code).toBe(0)
    const alarmed = await release(['rollout', 'web', '--version', '2.1.0-alarm', '--json'], {cwd})
    expect(alarmed.code, alarmed.stderr).toBe(3)
    expect(json(alarmed)).toMatchObject({liveVersion: '2.0.0', release: {outcome: 'rolledBack'}})
    const history = json(await release(['history', 'web', '--json'], {cwd}))
    expect(history[0].message).toMatch(/alarm web-5xx-rate is in ALARM since/)
    const view = json(await release(['sim', 'show', '--json'], {cwd}))
    expect(view.alarms).toContainEqual(expect.objectContaining({name: 'web-5xx-rate'}))
  })
})

describe('start-up cost of alarms and notices', () => {
  it('a rollout of a target without alarms or notify never loads the CloudWatch, SNS or EventBridge SDK', async () => {
    const {readFileSync} = await import('node:fs')
    const {join} = await import('node:path')
    const {makeProject} = await import('../fakes/workspace.js')
    const cwd = makeProject()
    const track = join(cwd, 'imports.txt')
    const result = await release(['rollout', 'web', '--version', '1.0.0'], {cwd, env: {RELEASE_TRACK_IMPORTS: track}, nodeArgs: ['--import', join(import.meta.dirname, 'track-imports.mjs')]})
    expect(result.code, result.stderr).toBe(0)
    const loaded = readFileSync(track, 'utf8')
    expect(loaded).toMatch(/client-cloudformation/)
    expect(loaded).not.toMatch(/client-cloudwatch|client-sns|client-eventbridge/)
  })
})
