/**
 * The desired-state quickstart (examples/quickstart/desired-state): a Chef run list, a package and a
 * configuration file released through SSM documents, and what is refused before anything changes.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {simAccountSettings} from '../../src/app/account.js'
import {drift} from '../../src/app/drift.js'
import {rollout} from '../../src/app/release.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {UserError} from '../../src/errors.js'
import {SimAccount} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {expectFitsSchema} from '../fakes/schema.js'
import {copyQuickstart} from '../fakes/workspace.js'

/** The example in a temp directory, optionally edited, on an in-memory account seeded as it says. */
async function desiredState(edit: (yml: string) => string = (yml) => yml) {
  const dir = join(copyQuickstart('release-desired-'), 'desired-state')
  const file = join(dir, 'release.yml')
  writeFileSync(file, edit(readFileSync(file, 'utf8')))
  const ws = await openWorkspace({configPath: file, cwd: dir})
  const clock = new VirtualClock()
  const sim = SimAccount.open({...simAccountSettings(ws.config), clock})
  return {ws, sim, clock}
}

function versionsOf(sim: SimAccount, group: string): string[] {
  return sim.view().groups.find((g) => g.name === group)!.instances.map((i) => i.version ?? '?')
}

describe('the desired-state quickstart', () => {
  it('releases a Chef run list, a package and a configuration file, and keeps the enforced ones in place', async () => {
    const {ws, sim, clock} = await desiredState()
    const chef = await rollout(ws, {target: 'cookbooks', version: '2.0.0'}, {}, {sim})
    expect(chef.outcome, chef.message).toBe('succeeded')
    expect(versionsOf(sim, 'chef-fleet')).toEqual(['2.0.0', '2.0.0', '2.0.0'])
    const agent = await rollout(ws, {target: 'agent', version: '2.4.1'}, {}, {sim})
    expect(agent.outcome, agent.message).toBe('succeeded')
    expect(versionsOf(sim, 'agent-fleet')).toEqual(['2.4.1', '2.4.1', '2.4.1'])
    const hash = '9f86d081884c'
    const conf = await rollout(ws, {target: 'appconf', version: hash}, {}, {sim})
    expect(conf.outcome, conf.message).toBe('succeeded')

    // The cookbook source's path carried the version to the instances, through the document's parameters.
    const sent = (await sim.handle('ssm', 'ListCommands', {Filters: [{key: 'DocumentName', value: 'AWS-ApplyChefRecipes'}]})) as {Commands: {Parameters: Record<string, string[]>}[]}
    expect(sent.Commands[0]!.Parameters['SourceInfo']).toEqual(['{"path":"https://s3.amazonaws.com/example-cookbooks/app/2.0.0/cookbooks.tar.gz"}'])

    // A bad cookbook release is rolled back, and the association stays on the live cookbooks.
    const bad = await rollout(ws, {target: 'cookbooks', version: '3.0.0-bad'}, {}, {sim})
    expect(bad.outcome, bad.message).toBe('rolledBack')

    // Someone edits the configuration file and a cookbook-managed server by hand: the associations put them back.
    const confInstance = sim.view().groups.find((g) => g.name === 'conf-fleet')!.instances[0]!.id
    const chefInstance = sim.view().groups.find((g) => g.name === 'chef-fleet')!.instances[0]!.id
    sim.causeDrift({kind: 'instance', instanceId: confInstance, version: '000000000000'})
    sim.causeDrift({kind: 'instance', instanceId: chefInstance, version: '1.0.0'})
    clock.advance(60 * 60_000 + 5 * 60_000)
    expect(versionsOf(sim, 'conf-fleet')).toEqual([hash, hash, hash, hash])
    expect(versionsOf(sim, 'chef-fleet')).toEqual(['2.0.0', '2.0.0', '2.0.0'])
    const reports = await drift(ws, {}, {sim})
    expect(reports.find((r) => r.target === 'appconf')).toMatchObject({inSync: true, enforcement: {association: 'release-appconf', schedule: 'rate(30 minutes)'}})
    expect(reports.find((r) => r.target === 'cookbooks')!.enforcement!.instances.every((i) => i.compliant)).toBe(true)
    // What `release drift --json` prints fits its published schema, enforcement included.
    expectFitsSchema('drift.schema.json', reports)
  })

  it('refuses an unknown document or a parameter the document does not declare, with nothing changed', async () => {
    for (const [edit, message] of [
      [(yml: string) => yml.replace('document: AWS-ApplyChefRecipes', 'document: AWS-ApplyChefRecipe'), /AWS-ApplyChefRecipe does not exist/],
      [(yml: string) => yml.replace("RunList: 'recipe[app::default]'", "RunList: 'recipe[app::default]'\n        Runlist: 'x'"), /declares no parameter Runlist/],
      [(yml: string) => yml.replace("RunList: 'recipe[app::default]'", ''), /requires RunList/],
    ] as const) {
      const {ws, sim} = await desiredState(edit)
      const before = JSON.stringify(sim.view())
      const error = await rollout(ws, {target: 'cookbooks', version: '2.0.0'}, {}, {sim}).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(UserError)
      expect(error).toMatchObject({code: 'E_DOCUMENT', exitCode: 2})
      expect((error as Error).message).toMatch(message)
      expect(JSON.stringify(sim.view())).toBe(before)
      expect((await ws.ledger.read('cookbooks')).releases).toEqual([])
      expect(sim.metrics().calls['ssm:SendCommand'] ?? 0).toBe(0)
    }
  })
})
