/**
 * `enforce:` (issue 10, item 4): the State Manager association follows the live version, runs on the
 * simulated account's clock, converges instances that drift or join later, and drift shows it.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {openWorkspace} from '../../src/app/workspace.js'
import {converge} from '../../src/app/converge.js'
import {drift, findingText} from '../../src/app/drift.js'
import {planRelease} from '../../src/app/plan.js'
import {EXIT} from '../../src/ports/release.js'
import {rollback, rollout} from '../../src/app/release.js'
import {openIncremental, versionCounts} from '../fakes/incremental.js'
import {expectFitsSchema} from '../fakes/schema.js'
import type {SimAccount} from '../../src/sim/index.js'

const ENFORCE = "    enforce: {schedule: 'rate(30 minutes)'}\n"
const PERIOD_MS = 30 * 60_000

async function association(sim: SimAccount) {
  const listed = (await sim.handle('ssm', 'ListAssociations', {AssociationFilterList: [{key: 'AssociationName', value: 'release-api'}]})) as {
    Associations: {AssociationId: string}[]
  }
  expect(listed.Associations).toHaveLength(1)
  const described = (await sim.handle('ssm', 'DescribeAssociation', {AssociationId: listed.Associations[0]!.AssociationId})) as {
    AssociationDescription: {Parameters: Record<string, string[]>; ScheduleExpression: string; Targets: unknown[]; AssociationVersion: string}
  }
  return described.AssociationDescription
}

/** What a person (or a process that died before moving it) does: the association edited to run these commands. */
async function editAssociationByHand(sim: SimAccount, commands: string[]): Promise<void> {
  const id = ((await sim.handle('ssm', 'ListAssociations', {})) as {Associations: {AssociationId: string}[]}).Associations[0]!.AssociationId
  await sim.handle('ssm', 'UpdateAssociation', {
    AssociationId: id,
    AssociationName: 'release-api',
    Name: 'AWS-RunShellScript',
    Parameters: {commands},
    Targets: [{Key: 'tag:aws:autoscaling:groupName', Values: ['api-fleet']}],
    ScheduleExpression: 'rate(30 minutes)',
  })
}

describe('enforce: the State Manager association of an incremental target', () => {
  it('is created on the first release, moved to each new version, and back on a rollback', async () => {
    const {ws, sim} = await openIncremental({instances: 4, extra: ENFORCE})
    const first = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(first.outcome, first.message).toBe('succeeded')
    const created = await association(sim)
    expect(created.Parameters['commands']).toEqual(['release-sim set-version 2.0.0', 'release-sim check'])
    expect(created.ScheduleExpression).toBe('rate(30 minutes)')
    expect(created.Targets).toEqual([{Key: 'tag:aws:autoscaling:groupName', Values: ['api-fleet']}])

    const second = await rollout(ws, {target: 'api', version: '3.0.0'}, {}, {sim})
    expect(second.outcome, second.message).toBe('succeeded')
    expect((await association(sim)).Parameters['commands']![0]).toBe('release-sim set-version 3.0.0')

    // A bad version rolls back: the association stays on (is put back on) the live version.
    const bad = await rollout(ws, {target: 'api', version: '4.0.0-bad'}, {}, {sim})
    expect(bad.outcome, bad.message).toBe('rolledBack')
    expect((await association(sim)).Parameters['commands']![0]).toBe('release-sim set-version 3.0.0')

    const back = await rollback(ws, {target: 'api'}, {}, {sim})
    expect(back.outcome, back.message).toBe('succeeded')
    const moved = await association(sim)
    expect(moved.Parameters['commands']![0]).toBe('release-sim set-version 2.0.0')
    // One association all along: created once, updated twice (3.0.0, then 2.0.0).
    expect(moved.AssociationVersion).toBe('3')
    expect(sim.metrics().calls['ssm:CreateAssociation']).toBe(1)
  })

  it('is moved again by the next command that takes the lease when it was left behind', async () => {
    const {ws, sim} = await openIncremental({instances: 2, canary: 0, maxUnavailable: '1', extra: ENFORCE})
    await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    // Someone (or a process that died before moving it) leaves it on another version.
    await editAssociationByHand(sim, ['release-sim set-version 1.0.0'])
    const [behind] = await drift(ws, {target: 'api'}, {sim})
    expect(behind!.findings).toContainEqual({kind: 'associationBehind', association: 'release-api', expected: '2.0.0'})
    expectFitsSchema('drift.schema.json', [behind])

    const next = await rollout(ws, {target: 'api', version: '2.1.0'}, {}, {sim})
    expect(next.outcome, next.message).toBe('succeeded')
    expect((await association(sim)).Parameters['commands']![0]).toBe('release-sim set-version 2.1.0')
  })

  it('converges an instance changed by hand and one launched later within one schedule period, and drift shows compliance', async () => {
    const {ws, sim, clock} = await openIncremental({instances: 4, extra: ENFORCE})
    const result = await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    expect(result.outcome, result.message).toBe('succeeded')
    // The association's first run (moments after its creation) has ended everywhere.
    clock.advance(5 * 60_000)
    const [clean] = await drift(ws, {target: 'api'}, {sim})
    expect(clean, JSON.stringify(clean)).toMatchObject({inSync: true, findings: []})
    expect(clean!.enforcement!.instances).toHaveLength(4)
    expect(clean!.enforcement!.instances.every((i) => i.compliant === true)).toBe(true)

    // Someone changes a server by hand, and the group launches one more, whose image boots the old
    // version (the simulated group boots what most of its fleet runs, so the test puts 1.0.0 on it).
    const before = new Set(sim.view().groups[0]!.instances.map((i) => i.id))
    const changed = [...before][1]!
    sim.causeDrift({kind: 'instance', instanceId: changed, version: '1.0.0'})
    await sim.handle('autoscaling', 'UpdateAutoScalingGroup', {AutoScalingGroupName: 'api-fleet', MaxSize: 5, DesiredCapacity: 5})
    clock.advance(2 * 60_000)
    const joined = sim.view().groups[0]!.instances.find((i) => !before.has(i.id))!.id
    sim.causeDrift({kind: 'instance', instanceId: joined, version: '1.0.0'})
    const [drifted] = await drift(ws, {target: 'api'}, {sim})
    expect(drifted!.inSync).toBe(false)
    expect(drifted!.findings).toContainEqual(expect.objectContaining({kind: 'instanceVersion', instance: changed, actual: '1.0.0'}))
    expect(drifted!.findings).toContainEqual(expect.objectContaining({kind: 'instanceVersion', instance: joined, actual: '1.0.0', joined: true}))

    // Within one schedule period, the association's next run puts 2.0.0 on both, with no release.
    clock.advance(PERIOD_MS)
    expect(versionCounts(sim)).toEqual({'2.0.0': 5})
    const [after] = await drift(ws, {target: 'api'}, {sim})
    expect(after, JSON.stringify(after)).toMatchObject({inSync: true, findings: []})
    expect(after!.enforcement!.instances.map((i) => i.instance)).toContain(joined)
    expect(after!.enforcement!.instances.every((i) => i.compliant === true)).toBe(true)
  })

  it('shows an instance where the association failed as non-compliant drift', async () => {
    const {ws, sim, clock} = await openIncremental({instances: 2, canary: 0, maxUnavailable: '1', extra: ENFORCE})
    await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})
    // Edited by hand to a version whose check fails: its next run fails on every instance.
    await editAssociationByHand(sim, ['release-sim set-version 2.0.0-bad', 'release-sim check'])
    clock.advance(5 * 60_000)
    const [report] = await drift(ws, {target: 'api'}, {sim})
    expect(report!.inSync).toBe(false)
    const failed = report!.findings.filter((f) => f.kind === 'associationNonCompliant')
    expect(failed).toHaveLength(2)
    expect(report!.enforcement!.instances.every((i) => i.compliant === false && i.status === 'Failed')).toBe(true)
    expectFitsSchema('drift.schema.json', [report])

    // converge moves the association back and re-applies the live version; the moved association runs at once.
    const result = await converge(ws, {target: 'api'}, {}, {sim})
    expect(result.exitCode, result.message).toBe(EXIT.succeeded)
    expect(result.actions.slice(0, 2)).toEqual([
      'State Manager association release-api of api moved: applies 2.0.0 rate(30 minutes) to the fleet',
      `re-apply 2.0.0 to 2 drifted instances: ${failed.map((f) => (f as {instance: string}).instance).sort().join(', ')}`,
    ])
    clock.advance(5 * 60_000)
    const [after] = await drift(ws, {target: 'api'}, {sim})
    expect(after).toMatchObject({inSync: true, findings: []})
    expect(after!.enforcement!.instances.map((i) => i.status)).toEqual(['Success', 'Success'])
  })

  it('converge moves an association left behind on another version, as a fix of its own, and drift is then in sync', async () => {
    const {ws, sim} = await openIncremental({instances: 2, canary: 0, maxUnavailable: '1', extra: ENFORCE})
    expect((await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    await editAssociationByHand(sim, ['release-sim set-version 1.0.0'])
    const result = await converge(ws, {target: 'api'}, {}, {sim})
    expect(result.exitCode, result.message).toBe(EXIT.succeeded)
    expect(result.actions).toEqual(['State Manager association release-api of api moved: applies 2.0.0 rate(30 minutes) to the fleet'])
    // No release was needed: the instances already run the live version.
    expect(result.release).toBeUndefined()
    expect((await association(sim)).Parameters['commands']![0]).toBe('release-sim set-version 2.0.0')
    expect((await drift(ws, {target: 'api'}, {sim}))[0]).toMatchObject({inSync: true, findings: []})
  })
})

describe('enforce taken out of release.yml', () => {
  it('an association left by an enforce: taken out of release.yml is drift; plan says it goes, and converge deletes it', async () => {
    const {dir, ws, sim} = await openIncremental({instances: 2, canary: 0, maxUnavailable: '1', extra: ENFORCE})
    expect((await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    const {AssociationId} = ((await sim.handle('ssm', 'ListAssociations', {})) as {Associations: {AssociationId: string}[]}).Associations[0]!
    const file = join(dir, 'release.yml')
    writeFileSync(file, readFileSync(file, 'utf8').replace(ENFORCE, ''))
    const without = await openWorkspace({configPath: file, cwd: dir})

    const [left] = await drift(without, {target: 'api'}, {sim})
    expect(left).toMatchObject({inSync: false, findings: [{kind: 'associationLeftOver', association: 'release-api', associationId: AssociationId}]})
    expect(findingText(left!.findings[0]!)).toMatch(/^State Manager association release-api is left from an enforce: no longer in release.yml: its runs put a version back on the fleet; converge, or the next release, resume or abort, deletes it$/)
    expectFitsSchema('drift.schema.json', [left])
    const planned = await planRelease(without, {target: 'api', version: '3.0.0'}, {sim})
    expect(planned.steps[0]!.does).toMatch(/delete the State Manager association release-api left by an earlier enforce:/)

    const result = await converge(without, {target: 'api'}, {}, {sim})
    expect(result.exitCode, result.message).toBe(EXIT.succeeded)
    expect(result.actions).toEqual(['State Manager association release-api of api deleted: enforce: is no longer in release.yml, so nothing puts a version back on the fleet between releases'])
    expect(((await sim.handle('ssm', 'ListAssociations', {})) as {Associations: unknown[]}).Associations).toEqual([])
    expect((await drift(without, {target: 'api'}, {sim}))[0]).toMatchObject({inSync: true, findings: []})
    // Nothing left: the plan no longer speaks of it.
    expect((await planRelease(without, {target: 'api', version: '3.0.0'}, {sim})).steps[0]!.does).not.toMatch(/association/)
  })

  it('the association it left is deleted by the next release, which the fleet then keeps', async () => {
    const {dir, ws, sim, clock} = await openIncremental({instances: 2, canary: 0, maxUnavailable: '1', extra: ENFORCE})
    expect((await rollout(ws, {target: 'api', version: '2.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    await association(sim)

    const file = join(dir, 'release.yml')
    writeFileSync(file, readFileSync(file, 'utf8').replace(ENFORCE, ''))
    const without = await openWorkspace({configPath: file, cwd: dir})
    const messages: string[] = []
    const next = await rollout(without, {target: 'api', version: '3.0.0'}, {onProgress: (e) => messages.push(e.message ?? '')}, {sim})
    expect(next.outcome, next.message).toBe('succeeded')
    expect(messages).toContain('State Manager association release-api of api deleted: enforce: is no longer in release.yml, so nothing puts a version back on the fleet between releases')
    expect(((await sim.handle('ssm', 'ListAssociations', {})) as {Associations: unknown[]}).Associations).toEqual([])
    // Left in place, its next run would have put 2.0.0 back on the fleet.
    clock.advance(2 * PERIOD_MS)
    expect(versionCounts(sim)).toEqual({'3.0.0': 2})
    // Nothing left to delete: the release after says nothing about it.
    messages.length = 0
    expect((await rollout(without, {target: 'api', version: '3.1.0'}, {onProgress: (e) => messages.push(e.message ?? '')}, {sim})).outcome).toBe('succeeded')
    expect(messages.filter((m) => m.includes('association'))).toEqual([])
  })
})
