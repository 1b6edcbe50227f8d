/** Environments through the built binary: promotion, crash and resume of env create/destroy, a recovery copy in another region. */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {makeProject, preparedProject} from '../fakes/workspace.js'
import {CONCURRENT_TIMEOUT_MS, json, release} from './cli.js'

const STAGING_SOURCE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-staging/0123456789abcdef'

function project(): string {
  const cwd = makeProject({bake: '0s', capacity: 2})
  const file = join(cwd, 'release.yml')
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace('simulated:\n', `simulated:\n  targetGroups:\n    ${STAGING_SOURCE}: {}\n`) +
      `environments:
  staging:
    targets:
      web: {trafficSources: ['${STAGING_SOURCE}']}
  prod:
    protected: true
    default: true
ephemeral:
  targets:
    web: {parameters: {DesiredCapacity: 1}}
`,
  )
  return cwd
}

/** The project with 2.0.0 live in staging: rolled out once, copied for each test. */
const stagingOn2 = preparedProject(project, async (cwd) => {
  const staging = await release(['rollout', 'web', '--env', 'staging', '--version', '2.0.0'], {cwd})
  expect(staging.code, staging.stderr).toBe(0)
})

/** Then the on-demand environment demo, made from staging, with 2.1.0 live in it. */
const demoOn21 = preparedProject(stagingOn2, async (cwd) => {
  const created = await release(['env', 'create', 'demo', '--from', 'staging'], {cwd})
  expect(created.code, created.stderr).toBe(0)
  const rollout = await release(['rollout', 'web', '--env', 'demo', '--version', '2.1.0'], {cwd})
  expect(rollout.code, rollout.stderr).toBe(0)
})

/** Live stacks of one region's simulated account. */
async function stacks(cwd: string, env?: string): Promise<string[]> {
  const view = json(await release(['sim', 'show', '--json', ...(env ? ['--env', env] : [])], {cwd}))
  return view.stacks.filter((s: any) => s.status !== 'DELETE_COMPLETE').map((s: any) => s.name).sort()
}

// Each test works in its own project directory: they run at once (their crash points are processes of their own).
describe.concurrent('environments through the binary', {timeout: CONCURRENT_TIMEOUT_MS}, () => {
  it('promotion staging -> prod with --version-from; prod is protected; status lists every environment', async () => {
    const cwd = await stagingOn2()
    const promoted = await release(['rollout', 'web', '--version-from', 'staging', '--json'], {cwd})
    expect(promoted.code, promoted.stderr).toBe(0)
    expect(json(promoted)).toMatchObject({target: 'web', liveVersion: '2.0.0', release: {id: 'prod-web-1', outcome: 'succeeded'}})
    const refused = await release(['env', 'destroy', 'prod'], {cwd})
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/E_PROTECTED/)
    expect(await stacks(cwd)).toEqual(['release-prod-web-1', 'release-staging-web-1'])

    const all = json(await release(['status', '--json'], {cwd}))
    expect(all.map((s: any) => [s.environment, s.target, s.liveVersion])).toEqual([
      ['staging', 'web', '2.0.0'],
      ['prod', 'web', '2.0.0'],
    ])
  })

  it.each(['env:provisioning', 'provisioning', 'awaitingCapacity', 'verifying', 'shifting', 'env:ready'])('env create killed after %s, then resumed: no stack without an owner', async (crashAt) => {
    const cwd = await stagingOn2()
    const killed = await release(['env', 'create', 'demo', '--from', 'staging', '--ttl', '2h'], {cwd, env: {RELEASE_TEST_CRASH_AT: crashAt}})
    expect(killed.code).not.toBe(0)
    const listed = json(await release(['env', 'list', '--json'], {cwd}))
    expect(listed.find((e: any) => e.name === 'demo')).toMatchObject({kind: 'on-demand', source: 'staging'})
    const resumed = await release(['env', 'resume', 'demo', '--json'], {cwd})
    if (crashAt === 'env:ready') {
      // The machine had finished; only the record's phase was left to write.
      expect([0, 2]).toContain(resumed.code)
    } else {
      expect(resumed.code, resumed.stderr).toBe(0)
    }
    expect((await stacks(cwd)).filter((s) => s.startsWith('release-demo-'))).toEqual(['release-demo-web-1'])
    const destroyed = await release(['env', 'destroy', 'demo'], {cwd})
    expect(destroyed.code, destroyed.stderr).toBe(0)
    expect((await stacks(cwd)).filter((s) => s.startsWith('release-demo-'))).toEqual([])
  })

  it.each(['env:deletingStacks', 'env:forgettingState', 'env:destroyed'])('env destroy killed after %s, then resumed: nothing of it is left', async (crashAt) => {
    const cwd = await demoOn21()
    const killed = await release(['env', 'destroy', 'demo'], {cwd, env: {RELEASE_TEST_CRASH_AT: crashAt}})
    expect(killed.code).not.toBe(0)
    const again = await release(['env', 'destroy', 'demo'], {cwd})
    expect(again.code, again.stderr).toBe(0)
    expect((await stacks(cwd)).filter((s) => s.startsWith('release-demo-'))).toEqual([])
    expect(await stacks(cwd)).toEqual(['release-staging-web-1'])
    const listed = json(await release(['env', 'list', '--json'], {cwd}))
    expect(listed.map((e: any) => e.name)).toEqual(['staging', 'prod'])
  })

  it('a recovery copy in another region: its own simulated account there, nothing in the home region', {timeout: CONCURRENT_TIMEOUT_MS}, async () => {
    const cwd = project()
    expect((await release(['rollout', 'web', '--version', '2.0.0'], {cwd})).code).toBe(0)
    const created = await release(['env', 'create', 'dr', '--from', 'prod', '--region', 'us-west-2', '--ttl', '7d', '--json'], {cwd})
    expect(created.code, created.stderr).toBe(0)
    expect(json(created)).toMatchObject({outcome: 'ready', record: {region: 'us-west-2', targets: [{name: 'web', version: '2.0.0'}]}})
    expect(await stacks(cwd, 'dr')).toEqual(['release-dr-web-1'])
    expect(await stacks(cwd)).toEqual(['release-prod-web-1'])
    const view = json(await release(['sim', 'show', '--json', '--env', 'dr'], {cwd}))
    expect(view.stacks.find((s: any) => s.name === 'release-dr-web-1').id).toMatch(/^arn:aws:cloudformation:us-west-2:/)
    const status = json(await release(['status', 'web', '--env', 'dr', '--json'], {cwd}))
    expect(status).toMatchObject({liveVersion: '2.0.0'})
    expect((await release(['env', 'destroy', 'dr'], {cwd})).code).toBe(0)
    expect(await stacks(cwd, 'prod')).toEqual(['release-prod-web-1'])
  })

  it('bad input: exit 2, nothing changed', async () => {
    const cwd = await stagingOn2()
    const cases: [string[], RegExp][] = [
      [['env', 'create', 'demo', '--from', 'stagin'], /E_UNKNOWN_ENV[\s\S]*Did you mean "staging"/],
      [['env', 'create', 'Demo', '--from', 'staging'], /E_ENV_NAME/],
      [['env', 'create', 'demo', '--from', 'staging', '--ttl', '100d'], /E_TTL[\s\S]*1 minute to 90 days/],
      [['env', 'create', 'demo', '--from', 'staging', '--ttl', 'soon'], /E_TTL/],
      [['env', 'create', 'staging', '--from', 'prod'], /E_ENV_EXISTS/],
      [['env', 'destroy', 'prod'], /E_PROTECTED/],
      [['rollout', 'web', '--env', 'prod', '--version-from', 'dev'], /E_UNKNOWN_ENV/],
    ]
    for (const [args, error] of cases) {
      const result = await release(args, {cwd})
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(error)
    }
    expect(await stacks(cwd)).toEqual(['release-staging-web-1'])
  })
})
