import {describe, expect, it} from 'vitest'
import {makeProject} from '../fakes/workspace.js'
import {json, release} from './cli.js'

describe('gates across separate processes', () => {
  it('rollout stops at the gate (exit 10), a later process promotes it (exit 0)', async () => {
    const cwd = makeProject({extra: '    gates: [beforeShift]\n'})
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd})).code).toBe(10)
    expect((await release(['promote', 'web'], {cwd})).code).toBe(0)

    const paused = await release(['rollout', 'web', '--version', '2.0.0', '--json'], {cwd})
    expect(paused.code).toBe(10)
    expect(json(paused)).toMatchObject({liveVersion: '1.0.0', release: {version: '2.0.0', outcome: 'paused', state: 'pausedBeforeShift'}})
    expect(paused.stderr).toMatch(/release promote web/)

    const promoted = await release(['promote', 'web', '--json'], {cwd})
    expect(promoted.code).toBe(0)
    expect(json(promoted)).toMatchObject({liveVersion: '2.0.0', release: {outcome: 'succeeded'}})
  })

  it('a later process aborts it (exit 3, outcome aborted, previous version live)', async () => {
    const cwd = makeProject({extra: '    gates: [beforeShift]\n'})
    await release(['rollout', 'web', '--version', '1.0.0'], {cwd})
    await release(['promote', 'web'], {cwd})
    expect((await release(['rollout', 'web', '--version', '2.0.0'], {cwd})).code).toBe(10)
    const aborted = await release(['abort', 'web', '--reason', 'freeze', '--json'], {cwd})
    expect(aborted.code).toBe(3)
    expect(json(aborted)).toMatchObject({liveVersion: '1.0.0', release: {outcome: 'aborted'}})
    expect(json(aborted).release.message).toMatch(/freeze/)
  })

  it('promote and abort with no paused release exit 2', async () => {
    const cwd = makeProject()
    const promote = await release(['promote', 'web'], {cwd})
    expect(promote.code).toBe(2)
    expect(promote.stderr).toMatch(/E_NOT_PAUSED/)
    expect((await release(['abort', 'web'], {cwd})).code).toBe(2)
  })
})
