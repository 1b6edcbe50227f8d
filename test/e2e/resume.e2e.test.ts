import {describe, expect, it} from 'vitest'
import {copyQuickstart, makeProject, preparedProject} from '../fakes/workspace.js'
import {CONCURRENT_TIMEOUT_MS, json, release} from './cli.js'

/** Stacks that exist and the versions taking traffic, read off the simulated account. */
async function account(cwd: string) {
  const view = json(await release(['sim', 'show', '--json'], {cwd}))
  const stacks = view.stacks.filter((s: any) => s.status !== 'DELETE_COMPLETE').map((s: any) => `${s.name}:${s.status}`)
  const serving = view.trafficSources.flatMap((t: any) =>
    t.groups.filter((g: any) => g.state === 'InService' || g.state === 'Added').flatMap((g: any) => g.versions),
  )
  const standby = view.groups.flatMap((g: any) => g.instances.filter((i: any) => /Standby/.test(i.lifecycle)))
  return {stacks: stacks.sort(), serving: [...new Set(serving)], standby}
}

/** A project of web on 2 instances with 1.0.0 live: rolled out once, copied for each test. */
const liveOn1 = preparedProject(
  () => makeProject({capacity: 2}),
  async (cwd) => {
    const first = await release(['rollout', 'web', '--version', '1.0.0'], {cwd})
    expect(first.code, first.stderr).toBe(0)
  },
)

// Each test kills its own process (a real SIGKILL: see the note in test/e2e/cli.ts) in its own
// project directory: they run at once, so their processes start and die side by side.
describe.concurrent('a release killed at any step resumes to a clean end', {timeout: CONCURRENT_TIMEOUT_MS}, () => {
  it.each(['provisioning', 'awaitingCapacity', 'verifying', 'shifting', 'baking', 'retiring'])(
    'killed after persisting %s',
    async (state) => {
      const cwd = await liveOn1()
      const killed = await release(['rollout', 'web', '--version', '2.0.0'], {cwd, env: {RELEASE_TEST_CRASH_AT: state}})
      expect(killed.code).not.toBe(0)
      const interrupted = json(await release(['status', 'web', '--json'], {cwd}))
      expect(interrupted.release).toMatchObject({id: 'web-2', outcome: 'inProgress', state})

      const refused = await release(['rollout', 'web', '--version', '3.0.0'], {cwd})
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/release resume web/)

      const resumed = await release(['resume', 'web', '--json'], {cwd})
      expect(resumed.code, resumed.stderr).toBe(0)
      expect(json(resumed)).toMatchObject({liveVersion: '2.0.0', release: {id: 'web-2', outcome: 'succeeded'}})
      expect(await account(cwd)).toEqual({
        stacks: ['release-web-1:CREATE_COMPLETE', 'release-web-2:CREATE_COMPLETE'],
        serving: ['2.0.0'],
        standby: [],
      })
    },
  )

  it('killed while a bad version is being discarded, it still ends rolled back', async () => {
    const cwd = await liveOn1()
    await release(['rollout', 'web', '--version', '2.0.0-bad'], {cwd, env: {RELEASE_TEST_CRASH_AT: 'discarding'}})
    const resumed = await release(['resume', 'web', '--json'], {cwd})
    expect(resumed.code).toBe(3)
    expect(json(resumed)).toMatchObject({liveVersion: '1.0.0', release: {outcome: 'rolledBack'}})
    expect(await account(cwd)).toMatchObject({stacks: ['release-web-1:CREATE_COMPLETE'], serving: ['1.0.0']})
  })

  it.each(['revertingTraffic', 'discarding'])('killed after persisting %s on the way back from a bad bake, it still ends rolled back', async (state) => {
    const cwd = await liveOn1()
    const killed = await release(['rollout', 'web', '--version', '2.0.0-flaky'], {cwd, env: {RELEASE_TEST_CRASH_AT: state}})
    expect(killed.code).not.toBe(0)
    const resumed = await release(['resume', 'web', '--json'], {cwd})
    expect(resumed.code, resumed.stderr).toBe(3)
    expect(json(resumed)).toMatchObject({liveVersion: '1.0.0', release: {outcome: 'rolledBack'}})
    expect(await account(cwd)).toEqual({stacks: ['release-web-1:CREATE_COMPLETE'], serving: ['1.0.0'], standby: []})
  })

  it('refuses to resume when nothing was interrupted', async () => {
    const cwd = makeProject()
    const result = await release(['resume', 'web'], {cwd})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/E_NOTHING_TO_RESUME/)
  })
})

describe.concurrent('an in-place release killed at any step resumes to a clean end', {timeout: CONCURRENT_TIMEOUT_MS}, () => {
  const quickstart = (): string => copyQuickstart()
  const apiVersions = (view: any) => [...new Set(view.groups.find((g: any) => g.name === 'api-fleet').instances.map((i: any) => i.version))]

  it.each(['planning', 'canary', 'rolling', 'baking'])('killed after persisting %s', async (state) => {
    const cwd = quickstart()
    const killed = await release(['rollout', 'api', '--version', '2.0.0'], {cwd, env: {RELEASE_TEST_CRASH_AT: state}})
    expect(killed.code).not.toBe(0)
    const resumed = await release(['resume', 'api', '--json'], {cwd})
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(json(resumed)).toMatchObject({liveVersion: '2.0.0', release: {outcome: 'succeeded'}})
    const view = json(await release(['sim', 'show', '--json'], {cwd}))
    expect(apiVersions(view)).toEqual(['2.0.0'])
    expect((await account(cwd)).standby).toEqual([])
  })

  it('killed while rolling back, it ends rolled back with every instance on its previous version', async () => {
    const cwd = quickstart()
    await release(['rollout', 'api', '--version', '2.0.0'], {cwd})
    const killed = await release(['rollout', 'api', '--version', '3.0.0-bad'], {cwd, env: {RELEASE_TEST_CRASH_AT: 'rollingBack'}})
    expect(killed.code).not.toBe(0)
    const resumed = await release(['resume', 'api', '--json'], {cwd})
    expect(resumed.code, resumed.stderr).toBe(3)
    const view = json(await release(['sim', 'show', '--json'], {cwd}))
    expect(apiVersions(view)).toEqual(['2.0.0'])
    expect((await account(cwd)).standby).toEqual([])
  })
})
