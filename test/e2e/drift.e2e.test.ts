/**
 * Drift through the binary (issue 10): exit codes of `drift` (0, 6, 1) and `converge`, a converge
 * killed with SIGKILL then resumed, and a rollout refused on a drifted target with `drift: refuse`.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {copyQuickstart} from '../fakes/workspace.js'
import {json, release} from './cli.js'

async function apiInstances(cwd: string): Promise<{id: string; version: string; lifecycle: string}[]> {
  const view = json(await release(['sim', 'show', '--json'], {cwd}))
  return view.groups.find((g: any) => g.name === 'api-fleet').instances
}

describe('drift and converge through the binary', () => {
  it('a converge killed after its canary resumes to a fleet in sync', async () => {
    const cwd = copyQuickstart()
    expect((await release(['rollout', 'api', '--version', '2.0.0'], {cwd})).code).toBe(0)
    const [a, b] = (await apiInstances(cwd)).filter((i) => i.lifecycle === 'InService')
    for (const i of [a!, b!]) expect((await release(['sim', 'drift', 'instance', i.id, '--version', '1.0.0'], {cwd})).code).toBe(0)

    const found = await release(['drift', 'api', '--json'], {cwd})
    expect(found.code, found.stderr).toBe(6)
    expect(json(found)[0].findings.map((f: any) => f.instance).sort()).toEqual([a!.id, b!.id].sort())

    const killed = await release(['converge', 'api'], {cwd, env: {RELEASE_TEST_CRASH_AT: 'rolling'}})
    expect(killed.code).not.toBe(0)
    const status = json(await release(['status', 'api', '--json'], {cwd}))
    expect(status.release).toMatchObject({outcome: 'inProgress', state: 'rolling'})
    // A second converge, or a rollout, waits for it to be resumed.
    expect((await release(['converge', 'api'], {cwd})).code).toBe(2)

    const resumed = await release(['resume', 'api', '--json'], {cwd})
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(json(resumed)).toMatchObject({liveVersion: '2.0.0', release: {outcome: 'succeeded'}})
    const history = json(await release(['history', 'api', '--json'], {cwd}))
    expect(history[0]).toMatchObject({kind: 'converge', version: '2.0.0', outcome: 'succeeded'})
    expect(new Set((await apiInstances(cwd)).filter((i) => i.lifecycle === 'InService').map((i) => i.version))).toEqual(new Set(['2.0.0']))
    const after = await release(['drift', 'api'], {cwd})
    expect(after.code, after.stdout).toBe(0)
  }, 300_000)

  it('an immutable target: a console edit, a retained group scaled up and an old instance launched, each found (6) then converged (0)', async () => {
    const cwd = copyQuickstart()
    expect((await release(['rollout', 'web', '--version', '1.0.0'], {cwd})).code).toBe(0)
    expect((await release(['rollout', 'web', '--version', '2.0.0'], {cwd})).code).toBe(0)
    // The groups of web's stacks as they are now: a converge may have replaced the live one.
    // Stacks being deleted (the rollout before retired one) still list their groups: leave them out.
    const groups = async () => {
      const shown = json<{stacks: {name: string; status: string}[]; groups: {name: string; stackName?: string; desired: number; trafficSources: unknown[]}[]}>(await release(['sim', 'show', '--json'], {cwd}))
      const standing = new Set(shown.stacks.filter((s) => !s.status.startsWith('DELETE_')).map((s) => s.name))
      const all = shown.groups.filter((g) => g.stackName !== undefined && standing.has(g.stackName))
      return {retained: all.find((g) => g.desired === 0)!, live: all.find((g) => g.trafficSources.length > 0)!}
    }
    const cases: [string, (g: Awaited<ReturnType<typeof groups>>) => string[], string][] = [
      ['stack', (g) => ['sim', 'drift', 'stack', g.live.stackName!, '--resource', 'Group', '--property', 'MaxSize', '--value', '9'], 'stackResource'],
      ['group', (g) => ['sim', 'drift', 'group', g.retained.name, '--desired', '2'], 'retainedScaledUp'],
      ['launch', (g) => ['sim', 'drift', 'launch', g.live.name, '--version', '1.0.0'], 'instanceVersion'],
    ]
    for (const [what, cause, kind] of cases) {
      const caused = await release(cause(await groups()), {cwd})
      expect(caused.code, `${what}: ${caused.stderr}`).toBe(0)
      // Time passes until a launched instance is in service: each paced look moves the virtual clock
      // on by the real time it takes, which an in-process run keeps short, so look until it boots.
      const launched = /launched (i-[0-9a-f]+)/.exec(caused.stdout)?.[1]
      for (let look = 0; look < 200; look++) {
        const shown = json<{groups: {instances: {id: string; lifecycle: string}[]}[]}>(await release(['sim', 'show', '--json'], {cwd, env: {RELEASE_SIM_SPEED: '1000000'}}))
        const instance = shown.groups.flatMap((g) => g.instances).find((i) => i.id === launched)
        if (launched === undefined || instance?.lifecycle === 'InService') break
      }
      const found = await release(['drift', 'web', '--json'], {cwd})
      expect(found.code, `${what}: ${found.stdout}`).toBe(6)
      expect(json(found)[0].findings.map((f: any) => f.kind), what).toContain(kind)
      const converged = await release(['converge', 'web'], {cwd})
      expect(converged.code, `${what}: ${converged.stdout}${converged.stderr}`).toBe(0)
      const after = await release(['drift', 'web'], {cwd})
      expect(after.code, `${what}: ${after.stdout}`).toBe(0)
    }
  }, 300_000)

  it('drift exits 1 when detection itself fails, and converge of an unknown target exits 2', async () => {
    const cwd = copyQuickstart()
    expect((await release(['rollout', 'web', '--version', '2.0.0'], {cwd})).code).toBe(0)
    // CloudFormation unreachable from now on: every call fails as a broken connection does.
    const file = join(cwd, 'release.yml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('  faults:\n', '  faults:\n    network: {rate: 1, services: [cloudformation]}\n'))
    const failed = await release(['drift', 'web'], {cwd})
    expect(failed.code, failed.stdout + failed.stderr).toBe(1)
    expect(failed.stderr).toMatch(/E_AWS_UNAVAILABLE|cloudformation/i)

    const unknown = await release(['converge', 'nope'], {cwd})
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/nope/)
  }, 300_000)

  it('drift: refuse makes a rollout on a drifted target exit 2 with the report, nothing changed', async () => {
    const cwd = copyQuickstart()
    const file = join(cwd, 'release.yml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('    strategy: incremental\n', '    strategy: incremental\n    drift: refuse\n'))
    expect((await release(['rollout', 'api', '--version', '2.0.0'], {cwd})).code).toBe(0)
    const drifted = (await apiInstances(cwd))[0]!.id
    await release(['sim', 'drift', 'instance', drifted, '--version', '1.0.0'], {cwd})

    const refused = await release(['rollout', 'api', '--version', '3.0.0'], {cwd})
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/E_DRIFTED/)
    expect(refused.stderr).toContain(drifted)
    expect(refused.stderr).toMatch(/release converge api/)
    expect(json(await release(['history', 'api', '--json'], {cwd}))).toHaveLength(1)
    expect((await apiInstances(cwd)).filter((i) => i.version === '3.0.0')).toEqual([])

    // The plan says what it found too.
    const plan = await release(['plan', 'api', '--version', '3.0.0'], {cwd})
    expect(plan.stdout).toMatch(/drifted/)

    expect((await release(['converge', 'api'], {cwd})).code).toBe(0)
    const rollout = await release(['rollout', 'api', '--version', '3.0.0'], {cwd})
    expect(rollout.code, rollout.stderr).toBe(0)
  }, 300_000)
})
