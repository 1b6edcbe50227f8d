import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ConfigError, findConfig, loadConfig, targetOrError} from '../../src/config/index.js'
import {UserError} from '../../src/errors.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef'

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Version:
    Type: String
  InstanceType:
    Type: String
    Default: t3.micro
  Port:
    Type: Number
    Default: 80
Resources:
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '1'
      MaxSize: '2'
`

const GOOD = `targets:
  web:
    strategy: immutable
    template: web.yml
    trafficSources: ['${ARN}']
`

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-config-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

async function files(entries: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(entries)) {
    await mkdir(path.dirname(path.join(dir, name)), {recursive: true})
    await writeFile(path.join(dir, name), text)
  }
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle))
  if (index < 0) throw new Error(`fixture has no line with ${needle}`)
  return index + 1
}

async function configError(yml: string, extra: Record<string, string> = {web: TEMPLATE}): Promise<ConfigError> {
  const templates = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k.includes('.') ? k : `${k}.yml`, v]))
  await files({'release.yml': yml, ...templates})
  const error = await loadConfig(undefined, {cwd: dir}).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ConfigError)
  const ce = error as ConfigError
  expect(ce).toBeInstanceOf(UserError)
  expect(ce.code).toBe('E_CONFIG')
  expect(ce.exitCode).toBe(2)
  expect(ce.hint.length).toBeGreaterThan(0)
  return ce
}

describe('loadConfig: a good config', () => {
  it('fills every default', async () => {
    await files({'release.yml': GOOD, 'web.yml': TEMPLATE})
    const config = await loadConfig(undefined, {cwd: dir})
    expect(config.file).toBe(path.join(dir, 'release.yml'))
    expect(config.dir).toBe(dir)
    expect(config.account).toBe('simulated')
    expect(config.region).toBe('us-east-1')
    expect(config.stateDir).toBe(path.join(dir, '.release'))
    expect(config.simulated).toEqual({speed: 20, seed: 1, faults: {}, fleets: {}, targetGroups: {}, documents: {}, dir: path.join(dir, '.release', 'sim')})
    expect(config.state).toEqual({backend: 'file'})
    expect(config.targets).toEqual({
      web: {
        name: 'web',
        strategy: 'immutable',
        templatePath: path.join(dir, 'web.yml'),
        templateBody: TEMPLATE,
        versionParameter: 'Version',
        parameters: {},
        trafficSources: [ARN],
        retain: 1,
        bakeMs: 120_000,
        keepWarmMs: 0,
        timeouts: {provisionMs: 900_000, capacityMs: 600_000, verifyMs: 300_000, shiftMs: 600_000, retireMs: 900_000},
        line: 2,
        allowDurableReplacement: false,
        gates: [],
        drift: 'warn',
        alarms: [],
        notify: [],
        choice: {declared: 'immutable', strategy: 'immutable', reason: 'declared in release.yml', durable: []},
      },
    })
    expect(targetOrError(config, 'web').name).toBe('web')
  })

  it('reads every field when given', async () => {
    const yml = `account: aws
region: eu-west-3
stateDir: ../state
simulated:
  speed: instant
  seed: 7
  faults:
    unhealthyVersions: ['*-bad']
    degradeVersions: [{pattern: '*-flaky', afterSeconds: 60}]
    failStackCreation: ['*-nostack']
    failStackDeletion: []
    failTrafficAttach: []
    throttle: {rate: 0.2, from: 0, until: 60000, services: [cloudformation, ssm]}
    network: {rate: 0.2, services: [ssm, elbv2]}
    commandFailureRate: 0.1
    undeliverableInstances: 0
targets:
  web:
    strategy: immutable
    template: templates/web.yml
    versionParameter: Version
    parameters: {InstanceType: t3.small, Port: 8080}
    trafficSources:
      - ${ARN}
    retain: 3
    bake: 1h30m
    verify:
      commands: ['curl -fsS localhost/health']
    timeouts: {provision: 20m, verify: 90s}
  api:
    strategy: immutable
    template: templates/web.yml
    trafficSources: ['arn:aws:elasticloadbalancing:eu-west-3:123456789012:targetgroup/api-tg/fedcba9876543210']
`
    await files({'cfg/release.yaml': yml, 'cfg/templates/web.yml': TEMPLATE})
    // a directory given as --config finds release.yaml inside it
    const config = await loadConfig('cfg', {cwd: dir})
    expect(config.file).toBe(path.join(dir, 'cfg', 'release.yaml'))
    expect(config.account).toBe('aws')
    expect(config.region).toBe('eu-west-3')
    expect(config.stateDir).toBe(path.join(dir, 'state'))
    expect(config.simulated).toEqual({
      dir: path.join(dir, 'state', 'sim'),
      speed: 'instant',
      seed: 7,
      faults: {
        unhealthyVersions: ['*-bad'],
        degradeVersions: [{pattern: '*-flaky', afterSeconds: 60}],
        failStackCreation: ['*-nostack'],
        failStackDeletion: [],
        failTrafficAttach: [],
        throttle: {rate: 0.2, from: 0, until: 60000, services: ['cloudformation', 'ssm']},
        network: {rate: 0.2, services: ['ssm', 'elbv2']},
        commandFailureRate: 0.1,
        undeliverableInstances: 0,
      },
      fleets: {},
      targetGroups: {},
      documents: {},
    })
    const web = config.targets.web!
    if (web.strategy !== 'immutable') throw new Error('web is immutable')
    expect(web.templatePath).toBe(path.join(dir, 'cfg', 'templates', 'web.yml'))
    expect(web.parameters).toEqual({InstanceType: 't3.small', Port: '8080'})
    expect(web.retain).toBe(3)
    expect(web.bakeMs).toBe(5_400_000)
    expect(web.verify).toEqual({commands: ['curl -fsS localhost/health']})
    expect(web.timeouts).toEqual({provisionMs: 1_200_000, capacityMs: 600_000, verifyMs: 90_000, shiftMs: 600_000, retireMs: 900_000})
    expect(web.line).toBe(lineOf(yml, '  web:'))
    expect(config.targets.api!.line).toBe(lineOf(yml, '  api:'))
    expect(Object.keys(config.targets)).toEqual(['web', 'api'])
  })

  it('finds release.yml before release.yaml', async () => {
    await files({'release.yml': GOOD, 'release.yaml': GOOD})
    expect(findConfig(dir)).toBe(path.join(dir, 'release.yml'))
    expect(findConfig(path.join(dir, 'nowhere'))).toBeUndefined()
  })
})

describe('loadConfig: errors point at file:line', () => {
  it('a missing config file', async () => {
    const missing = await loadConfig('nope.yml', {cwd: dir}).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ConfigError)
    expect((missing as ConfigError).message).toBe('nope.yml: no such config file')
    const none = await loadConfig(undefined, {cwd: dir}).catch((e: unknown) => e)
    expect((none as ConfigError).message).toMatch(/^release\.yml: no release\.yml or release\.yaml in /)
    expect((none as ConfigError).hint).toMatch(/--config/)
  })

  it('a YAML syntax error', async () => {
    const yml = `targets:\n  web:\n    strategy: immutable\n    template: "web.yml\n`
    const e = await configError(yml)
    expect(e.message).toMatch(/^release\.yml:\d+: YAML syntax error: /)
    expect(e.line).toBeGreaterThanOrEqual(4)
    const dup = await configError(`region: us-east-1\nregion: eu-west-1\n${GOOD}`)
    expect(dup.message).toMatch(/^release\.yml:2: YAML syntax error: .*unique/)
  })

  it('an unknown key, with a did-you-mean', async () => {
    const yml = GOOD.replace('    template: web.yml\n', '    template: web.yml\n    tempalte: other.yml\n')
    const e = await configError(yml)
    expect(e.message).toBe(
      `release.yml:${lineOf(yml, 'tempalte')}: unknown key "tempalte" in targets.web; allowed keys: strategy, template, versionParameter, parameters, trafficSources, retain, keepWarm, bake, verify, current, timeouts, allowDurableReplacement, environments, alarms, drift, notify, gates`,
    )
    expect(e.hint).toBe('Did you mean "template"?')
    const top = await configError(`acount: aws\n${GOOD}`)
    expect(top.message).toMatch(/^release\.yml:1: unknown key "acount" at the top level; allowed keys: account, region/)
    expect(top.hint).toBe('Did you mean "account"?')
  })

  it("an immutable target's current line under the rules of change.current ({{version}} never read as code)", async () => {
    const yml = GOOD + "    current: ['eval get-version {{version}}']\n"
    const e = await configError(yml)
    expect(e.message).toMatch(new RegExp(`^release\\.yml:${lineOf(yml, 'current')}: targets\\.web\\.current\\[0\\]: `))
    expect(e.hint).toMatch(/\{\{version\}\}/)
  })

    it('a value of the wrong type', async () => {
    const yml = GOOD + '    retain: many\n'
    const e = await configError(yml)
    expect(e.message).toBe(`release.yml:${lineOf(yml, 'retain')}: targets.web.retain: expected an integer from 0 to 10, got the string "many"`)
    const speed = await configError(`simulated:\n  speed: 0\n${GOOD}`)
    expect(speed.message).toMatch(/^release\.yml:2: simulated\.speed: expected a number from 0.01 to 1000000 .* or 'instant', got the number 0/)
    const account = await configError(`account: azure\n${GOOD}`)
    expect(account.message).toBe('release.yml:1: account: expected one of simulated, aws, got the string "azure"')
    const rate = await configError(`simulated:\n  faults:\n    commandFailureRate: 1.5\n${GOOD}`)
    expect(rate.message).toBe('release.yml:3: simulated.faults.commandFailureRate: expected a number from 0 to 1, got the number 1.5')
    const network = await configError(`simulated:\n  faults:\n    network: {rate: 2}\n${GOOD}`)
    expect(network.message).toBe('release.yml:3: simulated.faults.network.rate: expected a number from 0 to 1, got the number 2')
    const list = await configError(`simulated:\n  faults:\n    unhealthyVersions: '*-bad'\n${GOOD}`)
    expect(list.message).toBe(`release.yml:3: simulated.faults.unhealthyVersions: expected a list of strings, got the string "*-bad"`)
    const targets = await configError(`targets: []\n`)
    expect(targets.message).toBe('release.yml:1: targets: expected a mapping of keys to values, got a list')
  })

  it('a missing required key, an unknown strategy, and a key of the other strategy', async () => {
    const noTemplate = GOOD.replace('    template: web.yml\n', '')
    const e = await configError(noTemplate)
    expect(e.message).toMatch(/^release\.yml:2: targets\.web: missing template/)
    const unknown = await configError(GOOD.replace('strategy: immutable', 'strategy: canary'))
    expect(unknown.message).toBe('release.yml:3: targets.web.strategy: expected one of immutable, incremental, auto, got the string "canary"')
    const incremental = GOOD.replace('strategy: immutable', 'strategy: incremental')
    const s = await configError(incremental)
    // All problems at once: the key of the other strategy, and what the declared one lacks.
    expect(s.message.split('\n')).toContain('release.yml:5: targets.web.trafficSources: trafficSources is a setting of immutable targets, and web is incremental')
    expect(s.message.split('\n')).toContain("release.yml:2: targets.web: missing fleet (the instances to change: {group: <Auto Scaling group>} or {tags: {Key: Value}})")
    expect(s.hint).toMatch(/set strategy: immutable/)
    const empty = await configError('region: us-east-1\n')
    expect(empty.message).toMatch(/^release\.yml:1: missing targets/)
  })

  it('a missing template, at the template key', async () => {
    const yml = GOOD.replace('template: web.yml', 'template: missing.yml')
    const e = await configError(yml)
    expect(e.message).toBe(
      `release.yml:${lineOf(yml, 'template:')}: targets.web.template: template file missing.yml not found; expected a CloudFormation template file`,
    )
  })

  it('a template syntax error, at its own file:line', async () => {
    const broken = `Parameters:\n  Version:\n    Type: String\nResources:\n  Group:\n    Type: "AWS::AutoScaling::AutoScalingGroup\n`
    const e = await configError(GOOD, {web: broken})
    expect(e.message).toMatch(/^web\.yml:\d+: Template format error: YAML not well-formed/)
    expect(e.file).toBe('web.yml')
    expect(e.line).toBeGreaterThanOrEqual(6)
    expect(e.hint).toMatch(/release\.yml:4/)
    const shape = await configError(GOOD, {web: `Parameters:\n  Version:\n    Type: String\nResources:\n  Group:\n    Typo: x\n`})
    expect(shape.message).toMatch(/^web\.yml:5: Template format error: /)
  })

  it('a parameter the template does not have', async () => {
    const yml = GOOD + '    parameters:\n      InstanceType: t3.small\n      InstanceTyp: t3.large\n'
    const e = await configError(yml)
    expect(e.message).toBe(
      `release.yml:${lineOf(yml, 'InstanceTyp:')}: targets.web.parameters.InstanceTyp: template web.yml has no parameter "InstanceTyp"; its parameters: Version, InstanceType, Port`,
    )
    expect(e.hint).toBe('Did you mean "InstanceType"?')
    const version = await configError(GOOD + '    parameters: {Version: "1.0"}\n')
    expect(version.message).toMatch(/^release\.yml:6: targets\.web\.parameters\.Version: sets the versionParameter Version/)
    const noVersion = await configError(GOOD + '    versionParameter: AppVersion\n')
    expect(noVersion.message).toBe(
      'release.yml:6: targets.web.versionParameter: template web.yml has no parameter "AppVersion"; its parameters: Version, InstanceType, Port',
    )
  })

  it('a template parameter without default left unset', async () => {
    const template = TEMPLATE.replace('  Port:\n    Type: Number\n    Default: 80\n', '  KeyName:\n    Type: String\n')
    const e = await configError(GOOD, {web: template})
    expect(e.message).toBe('release.yml:2: targets.web.parameters: template web.yml requires parameter "KeyName" (it has no Default)')
  })

  it('a bad traffic source ARN, at its item line', async () => {
    const yml = GOOD.replace(`trafficSources: ['${ARN}']`, `trafficSources:\n      - ${ARN}\n      - arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef`)
    const e = await configError(yml)
    expect(e.message).toMatch(
      new RegExp(`^release\\.yml:${lineOf(yml, 'loadbalancer/')}: targets\\.web\\.trafficSources\\[1\\]: expected an ELB target group ARN \\(arn:aws:elasticloadbalancing:<region>:<12-digit account>:targetgroup/<name>/<16 hex digits>\\), got "arn:`),
    )
    const none = await configError(GOOD.replace(`['${ARN}']`, '[]'))
    expect(none.message).toBe('release.yml:5: targets.web.trafficSources: expected a list with at least one entry, got a list')
  })

  it('a bad duration says the accepted form', async () => {
    const yml = GOOD + '    timeouts:\n      provision: 15 minutes\n'
    const e = await configError(yml)
    expect(e.message).toBe(
      `release.yml:${lineOf(yml, 'provision:')}: targets.web.timeouts.provision: expected a duration: a whole number followed by a unit (h, m, s or ms), units combined largest first, e.g. 90s, 2m, 1h30m, 500ms or 0s, got the string "15 minutes"`,
    )
    const zero = await configError(GOOD + '    timeouts: {shift: 0s}\n')
    expect(zero.message).toMatch(/^release\.yml:6: targets\.web\.timeouts\.shift: expected a duration greater than 0s/)
    const number = await configError(GOOD + '    bake: 120\n')
    expect(number.message).toMatch(/^release\.yml:6: targets\.web\.bake: expected a duration: .*got the number 120$/)
  })

  it('a bad target name', async () => {
    const e = await configError(GOOD.replace('  web:', '  Web_App:'))
    expect(e.message).toMatch(/^release\.yml:2: target name "Web_App" is not valid; expected \^\[a-z\]/)
  })

  it('shows paths relative to cwd when shorter, absolute otherwise', async () => {
    await files({'deep/release.yml': 'targets: 3\n'})
    const e = await loadConfig(path.join(dir, 'deep', 'release.yml'), {cwd: dir}).catch((x: unknown) => x)
    expect((e as ConfigError).message).toMatch(new RegExp(`^deep[\\\\/]release\\.yml:1: targets: expected a mapping`))
    // from deep below, ../../.. is longer than the absolute path
    const far = await loadConfig(path.join(dir, 'deep', 'release.yml'), {cwd: path.join(dir, ...'abcdefghijklmnopqrst'.split(''))}).catch((x: unknown) => x)
    expect((far as ConfigError).message.startsWith(`${path.join(dir, 'deep', 'release.yml')}:1:`)).toBe(true)
  })
})

describe('loadConfig: every problem of the file at once', () => {
  it('lists each problem at its line, in line order, with a hint for each', async () => {
    const yml = `acount: aws\nregion: mars\n${GOOD}    retain: many\n    bake: soon\n`
    const e = await configError(yml)
    expect(e.message.split('\n')).toEqual([
      'release.yml:1: unknown key "acount" at the top level; allowed keys: account, region, stateDir, state, notify, environments, ephemeral, simulated, targets',
      'release.yml:2: region: expected an AWS region such as us-east-1 or eu-west-3, got the string "mars"',
      'release.yml:8: targets.web.retain: expected an integer from 0 to 10, got the string "many"',
      `release.yml:9: targets.web.bake: expected a duration: a whole number followed by a unit (h, m, s or ms), units combined largest first, e.g. 90s, 2m, 1h30m, 500ms or 0s, got the string "soon"`,
    ])
    expect(e.line).toBe(1)
    expect(e.problems).toHaveLength(4)
    expect(e.hint.split('\n')).toHaveLength(4)
    expect(e.hint).toMatch(/^release\.yml:1: Did you mean "account"\?/)
  })
})

describe('targetOrError', () => {
  it('names the configured targets for an unknown one', async () => {
    await files({'release.yml': GOOD, 'web.yml': TEMPLATE})
    const config = await loadConfig(undefined, {cwd: dir})
    let error: unknown
    try {
      targetOrError(config, 'wbe')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UserError)
    const ue = error as UserError
    expect(ue.code).toBe('E_UNKNOWN_TARGET')
    expect(ue.exitCode).toBe(2)
    expect(ue.message).toBe('unknown target "wbe"; the targets in release.yml are: web')
    expect(ue.hint).toBe('Did you mean "web"?')
    expect(() => targetOrError(config, 'toString')).toThrow(/unknown target "toString"/)
  })
})
