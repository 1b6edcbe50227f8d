/**
 * A group launching an instance after a release boots the live version, in named environments too:
 * environments publish the desired version under /release/<env>-<target>/version, and a seeded fleet's
 * instances read the parameter of the target that changes them (src/app/sim-fleet-parameters.ts).
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {copyQuickstart} from '../fakes/workspace.js'
import {json, release} from './cli.js'

type Instance = {id: string; version: string; lifecycle: string; ssmAgent: string}

/** The group's instances, read at the fastest pace: each read moves the account's clock by the real time it took, times a million. */
async function instancesOf(cwd: string, group: string): Promise<Instance[]> {
  const view = json(await release(['sim', 'show', '--json'], {cwd, env: {RELEASE_SIM_SPEED: '1000000'}}))
  return view.groups.find((g: any) => g.name === group).instances
}

/** The instances the group launched beyond `before`, once none of them is Pending (bounded: a read may take under a millisecond). */
async function launchedInto(cwd: string, group: string, before: Set<string>): Promise<Instance[]> {
  let launched: Instance[] = []
  for (let read = 0; read < 100; read++) {
    launched = (await instancesOf(cwd, group)).filter((i) => !before.has(i.id))
    if (launched.length > 0 && launched.every((i) => i.lifecycle !== 'Pending')) break
  }
  return launched
}

describe('an instance launched into a fleet after a release', () => {
  it('boots the version live in its environment (prod, the default, and staging), and drift finds the fleet in sync', async () => {
    const cwd = copyQuickstart()
    const env = {RELEASE_SIM_SPEED: 'instant'}
    const prod = await release(['rollout', 'api', '--version', '2.3.0'], {cwd, env})
    expect(prod.code, prod.stderr).toBe(0)
    const staging = await release(['rollout', 'api', '--env', 'staging', '--version', '2.4.0'], {cwd, env})
    expect(staging.code, staging.stderr).toBe(0)

    for (const [group, desired, live] of [
      ['api-fleet', 13, '2.3.0'],
      ['api-fleet-staging', 5, '2.4.0'],
    ] as const) {
      const before = new Set((await instancesOf(cwd, group)).map((i) => i.id))
      const scaled = await release(['sim', 'drift', 'group', group, '--desired', String(desired)], {cwd})
      expect(scaled.code, scaled.stderr).toBe(0)
      // Time passes (sim show at a high speed): the new instance boots and goes InService.
      const launched = await launchedInto(cwd, group, before)
      expect(launched, group).toHaveLength(1)
      expect(launched[0], group).toMatchObject({lifecycle: 'InService', version: live})
    }
    for (const args of [['drift', 'api'], ['drift', 'api', '--env', 'staging']]) {
      const found = await release(args, {cwd, env})
      expect(found.code, `${args.join(' ')}: ${found.stdout}${found.stderr}`).toBe(0)
    }
  }, 300_000)

  it('drift reports an InService instance whose SSM agent never registered as unreadable (6), not in sync and not a failed detection', async () => {
    const cwd = copyQuickstart()
    // Instances of *-noagent versions never register their SSM agent (no instance profile, say).
    const file = join(cwd, 'release.yml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('  faults:\n', "  faults:\n    unregisteredVersions: ['*-noagent']\n"))
    expect((await release(['rollout', 'api', '--version', '2.3.0'], {cwd})).code).toBe(0)
    const before = new Set((await instancesOf(cwd, 'api-fleet')).map((i) => i.id))
    expect((await release(['sim', 'drift', 'launch', 'api-fleet', '--version', '2.2.0-noagent'], {cwd})).code).toBe(0)
    const [stray] = await launchedInto(cwd, 'api-fleet', before)
    expect(stray).toMatchObject({lifecycle: 'InService', ssmAgent: 'NotRegistered'})

    const found = await release(['drift', 'api', '--json'], {cwd})
    expect(found.code, found.stdout + found.stderr).toBe(6)
    expect(json(found)[0].findings).toEqual([
      {kind: 'instanceVersion', instance: stray!.id, expected: '2.3.0', actual: null, joined: true, reason: expect.stringContaining('its SSM agent is not registered')},
    ])
    const text = await release(['drift', 'api'], {cwd})
    expect(text.stdout).toContain(`instance ${stray!.id} (joined since the release) runs an unreadable version, not 2.3.0: its SSM agent is not registered`)
  }, 300_000)

  it('an on-demand copy: its group (made from db.yml) launches the version live in the copy, read by its user data', async () => {
    const cwd = copyQuickstart()
    expect((await release(['rollout', 'db', '--env', 'staging', '--version', '2.0.0'], {cwd})).code).toBe(0)
    const created = await release(['env', 'create', 'demo', '--from', 'staging', '--targets', 'db'], {cwd})
    expect(created.code, created.stderr).toBe(0)
    const groups = json(await release(['sim', 'show', '--json'], {cwd})).groups as {name: string; desired: number}[]
    const copy = groups.find((g) => g.name.startsWith('release-demo-db'))!
    // The copy's instances boot before a release can change them.
    expect((await launchedInto(cwd, copy.name, new Set())).every((i) => i.lifecycle === 'InService')).toBe(true)
    const rolled = await release(['rollout', 'db', '--env', 'demo', '--version', '2.1.0'], {cwd})
    expect(rolled.code, rolled.stderr).toBe(0)
    const before = new Set((await instancesOf(cwd, copy.name)).map((i) => i.id))
    expect((await release(['sim', 'drift', 'group', copy.name, '--desired', String(copy.desired + 1)], {cwd})).code).toBe(0)
    const launched = await launchedInto(cwd, copy.name, before)
    expect(launched).toHaveLength(1)
    expect(launched[0]).toMatchObject({lifecycle: 'InService', version: '2.1.0'})
  }, 300_000)
})
