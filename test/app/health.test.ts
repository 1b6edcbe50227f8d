/** How readiness and a bad version show during the shift, judged by target health (issue 13). */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {planRelease} from '../../src/app/plan.js'
import {rollout} from '../../src/app/release.js'
import {openWorkspace} from '../../src/app/workspace.js'
import {ssmErrors} from '../../src/sim/errors.js'
import {SimAccount, type SimTargetGroup} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {liveStacks, versionsTakingTraffic} from '../fakes/account.js'
import {makeProject, openProject, type ProjectOptions, TRAFFIC_SOURCE} from '../fakes/workspace.js'

/** The quickstart project with its web template's group on EC2 health checks (Auto Scaling's default). */
async function ec2HealthProject(options: ProjectOptions & {targetGroup?: SimTargetGroup} = {}) {
  const dir = makeProject(options)
  const template = join(dir, 'web.yml')
  writeFileSync(template, readFileSync(template, 'utf8').replace('HealthCheckType: ELB', 'HealthCheckType: EC2'))
  const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
  const clock = new VirtualClock()
  const sim = SimAccount.open({
    clock,
    seed: 3,
    faults: {unhealthyVersions: ['*-bad']},
    targetGroups: {[TRAFFIC_SOURCE]: options.targetGroup ?? {}},
  })
  return {ws, sim, clock}
}

describe('readiness for traffic', () => {
  it('moves traffic to a group on EC2 health checks once its targets are healthy, without waiting out the shift timeout', async () => {
    const {ws, sim, clock} = await ec2HealthProject({extra: '    timeouts: {shift: 5m}\n'})
    expect((await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    const started = clock.now()
    const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(second.outcome).toBe('succeeded')
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
    // Boot, verify, 5 passed health checks, 300 s of draining and the 2 min bake: well under an hour.
    expect(clock.now() - started).toBeLessThan(30 * 60_000)
  })

  it('takes the deregistration delay into the shift budget (300 s drain, 4 min shift timeout)', async () => {
    const {ws, sim} = await openProject({extra: '    timeouts: {shift: 4m}\n', targetGroup: {deregistrationDelaySeconds: 300}})
    expect((await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})).outcome).toBe('succeeded')
    const second = await rollout(ws, {target: 'web', version: '2.0.0'}, {}, {sim})
    expect(second.outcome).toBe('succeeded')
    expect(versionsTakingTraffic(sim)).toEqual(['2.0.0'])
  })
})

describe('a bad version during the shift', () => {
  it('is caught by the ELB health check before all traffic moves when nothing else checks it', async () => {
    const {ws, sim, clock} = await openProject({verify: false})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    const started = clock.now()
    const bad = await rollout(ws, {target: 'web', version: '1.1.0-bad'}, {}, {sim})
    expect(bad.outcome).toBe('rolledBack')
    expect(bad.record.details?.failure).toMatchObject({step: 'shifting'})
    expect(bad.message).toMatch(/failed the health check of target group|the group is replacing them/)
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
    // Well before the 10 min shift timeout runs out.
    expect(clock.now() - started).toBeLessThan(30 * 60_000)
  })

  it('goes back when the new targets fail while both groups serve', async () => {
    const {ws, sim} = await openProject({bake: '10m'})
    await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    sim.setFaults({degradeVersions: [{pattern: '*-flaky', afterSeconds: 120}]})
    const result = await rollout(ws, {target: 'web', version: '2.0.0-flaky'}, {}, {sim})
    expect(result.outcome).toBe('rolledBack')
    expect(result.record.details?.failure).toMatchObject({step: 'shifting'})
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
    expect(Object.keys(liveStacks(sim))).toEqual(['release-web-1'])
  })
})

describe('plan says what would catch a bad version, and refuses what the account cannot take', () => {
  it('names the health signals and the deregistration delay in the shift', async () => {
    const {ws, sim} = await openProject({targetGroup: {deregistrationDelaySeconds: 120}})
    const plan = await planRelease(ws, {target: 'web', version: '1.0.0'}, {sim})
    expect(plan.immutable?.deregistrationDelaySeconds).toBe(120)
    expect(plan.steps.find((s) => s.state === 'shifting')?.does).toMatch(/drain for 120s/)
    expect(plan.health?.signals.join('\n')).toMatch(/verify: 1 commands/)
    expect(plan.health?.signals.join('\n')).toMatch(/ELB: .*replaces failing instances \(HealthCheckType ELB\)/)
    expect(plan.health?.warning).toBeUndefined()
  })

  it('warns when nothing would catch a bad version', async () => {
    const {ws, sim} = await openProject({verify: false})
    const project = {...ws, config: {...ws.config, targets: {...ws.config.targets, web: {...ws.config.targets['web']!, trafficSources: []}}}}
    const plan = await planRelease(project, {target: 'web', version: '1.0.0'}, {sim})
    expect(plan.health?.warning).toMatch(/nothing would catch a bad application version/)
  })

  it('refuses traffic sources that are not target groups of the account (exit 2, nothing created)', async () => {
    const {ws, clock} = await openProject()
    const sim = SimAccount.open({clock, seed: 3})
    await expect(rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})).rejects.toMatchObject({code: 'E_TRAFFIC_SOURCE', exitCode: 2})
    expect(liveStacks(sim)).toEqual({})
  })

  it('refuses a template over 51,200 bytes with its size (exit 2, nothing created)', async () => {
    const dir = makeProject()
    const template = join(dir, 'web.yml')
    writeFileSync(template, readFileSync(template, 'utf8') + `# ${'x'.repeat(52_000)}\n`)
    const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
    const sim = SimAccount.open({clock: new VirtualClock(), seed: 3, targetGroups: {[TRAFFIC_SOURCE]: {}}})
    const error = await planRelease(ws, {target: 'web', version: '1.0.0'}, {sim}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'E_TEMPLATE_SIZE', exitCode: 2})
    expect((error as Error).message).toMatch(/is 5\d{4} bytes; CloudFormation takes at most 51200/)
    expect(liveStacks(sim)).toEqual({})
  })
})

describe('SSM agent registration', () => {
  it('waits for slow agents: a good version is not rolled back', async () => {
    const {ws, sim} = await openProject()
    const slow = SimAccount.open({clock: sim.clock, seed: 3, targetGroups: {[TRAFFIC_SOURCE]: {}}, timings: {agentRegistrationMs: [120_000, 180_000]}})
    const result = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim: slow})
    expect(result.outcome).toBe('succeeded')
    expect(versionsTakingTraffic(slow)).toEqual(['1.0.0'])
  })

  it('takes InvalidInstanceId from SendCommand right after the agents are listed as "not yet"', async () => {
    const {ws, sim} = await openProject()
    const handle = sim.handle.bind(sim)
    let refused = 0
    sim.handle = async (service, commandName, input) => {
      // SSM lists the agent a moment before SendCommand accepts the instance.
      if (service === 'ssm' && commandName === 'SendCommand' && refused < 2) {
        refused++
        throw ssmErrors.invalidInstanceId(`Instances [[${(input as {InstanceIds: string[]}).InstanceIds[0]}]] not in a valid state`)
      }
      return handle(service, commandName, input)
    }
    const result = await rollout(ws, {target: 'web', version: '1.0.0'}, {}, {sim})
    expect(refused).toBe(2)
    expect(result.outcome, result.message).toBe('succeeded')
    expect(versionsTakingTraffic(sim)).toEqual(['1.0.0'])
  })

  it('names the instances whose agent never registers, and why that usually happens', async () => {
    const {ws, clock} = await openProject()
    const sim = SimAccount.open({clock, seed: 3, targetGroups: {[TRAFFIC_SOURCE]: {}}, faults: {unregisteredVersions: ['*-noagent']}})
    const result = await rollout(ws, {target: 'web', version: '1.0.0-noagent'}, {}, {sim})
    expect(result.outcome).toBe('rolledBack')
    expect(result.message).toMatch(/SSM agent of 3 of 3 instances never registered .*instance profile/)
    expect(liveStacks(sim)).toEqual({})
  })
})
