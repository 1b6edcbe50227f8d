/**
 * release.yml for incremental and auto targets, the durable-resource guard of immutable targets, and
 * the simulated account's seeded fleets and documents. Every refusal names its file:line.
 */
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ConfigError, loadConfig, type IncrementalTargetConfig, type ReleaseConfig} from '../../src/config/index.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef'

const STATELESS = `Parameters:
  Version:
    Type: String
Resources:
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '1'
      MaxSize: '2'
`

const WITH_DATABASE = `Parameters:
  Version:
    Type: String
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Snapshot
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: '20'
  Logs:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
`

const API = `targets:
  api:
    strategy: incremental
    fleet: {group: api-fleet}
    change:
      apply: ['release-sim set-version {{version}}']
`

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-config-incremental-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

async function load(yml: string, templates: Record<string, string> = {}): Promise<ReleaseConfig> {
  for (const [name, text] of Object.entries({'release.yml': yml, ...templates})) {
    await mkdir(path.dirname(path.join(dir, name)), {recursive: true})
    await writeFile(path.join(dir, name), text)
  }
  return loadConfig(undefined, {cwd: dir})
}

async function refused(yml: string, templates: Record<string, string> = {}): Promise<ConfigError> {
  const error = await load(yml, templates).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ConfigError)
  const ce = error as ConfigError
  expect(ce.code).toBe('E_CONFIG')
  expect(ce.exitCode).toBe(2)
  expect(ce.hint.length).toBeGreaterThan(0)
  return ce
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle))
  if (index < 0) throw new Error(`fixture has no line with ${needle}`)
  return index + 1
}

function incremental(config: ReleaseConfig, name: string): IncrementalTargetConfig {
  const target = config.targets[name]
  if (target?.strategy !== 'incremental') throw new Error(`${name} is not incremental`)
  return target
}

/** The api target with `change.apply` set to these lines. */
function applying(...lines: string[]): string {
  return `targets:\n  api:\n    strategy: incremental\n    fleet: {group: api-fleet}\n    change:\n      apply:\n${lines.map((l) => `        - ${JSON.stringify(l)}\n`).join('')}`
}

describe('an incremental target', () => {
  it('fills every default', async () => {
    const config = await load(API)
    expect(config.targets.api).toEqual({
      name: 'api',
      strategy: 'incremental',
      line: 2,
      fleet: {group: 'api-fleet'},
      change: {document: 'AWS-RunShellScript', apply: ['release-sim set-version {{version}}'], verify: [], current: [], parameters: {}},
      maxUnavailable: {percent: 10},
      canary: 1,
      maxErrors: {count: 0},
      bakeMs: 60_000,
      gates: [],
      alarms: [],
      notify: [],
      drift: 'warn',
      timeouts: {standbyMs: 300_000, applyMs: 600_000, verifyMs: 300_000, healthMs: 300_000},
      choice: {declared: 'incremental', strategy: 'incremental', reason: 'declared in release.yml', durable: []},
    })
  })

  it('reads every field when given', async () => {
    const yml = `targets:
  api:
    strategy: incremental
    template: db.yml
    fleet:
      tags: {Role: api, Tier: 2}
    change:
      document: AWS-RunShellScript
      apply: ['release-sim set-version {{version}}', 'systemctl restart api']
      verify: ['release-sim check']
      current: ['release-sim get-version']
    maxUnavailable: 3
    canary: 0
    maxErrors: 5%
    bake: 90s
    timeouts: {standby: 1m, apply: 20m, verify: 2m, health: 3m}
`
    const api = incremental(await load(yml, {'db.yml': WITH_DATABASE}), 'api')
    expect(api.fleet).toEqual({tags: {Role: 'api', Tier: '2'}})
    expect(api.change).toEqual({
      document: 'AWS-RunShellScript',
      apply: ['release-sim set-version {{version}}', 'systemctl restart api'],
      verify: ['release-sim check'],
      current: ['release-sim get-version'],
      parameters: {},
    })
    expect(api.maxUnavailable).toEqual({count: 3})
    expect(api.canary).toBe(0)
    expect(api.maxErrors).toEqual({percent: 5})
    expect(api.bakeMs).toBe(90_000)
    expect(api.timeouts).toEqual({standbyMs: 60_000, applyMs: 1_200_000, verifyMs: 120_000, healthMs: 180_000})
    expect(api.templatePath).toBe(path.join(dir, 'db.yml'))
    expect(api.templateBody).toBe(WITH_DATABASE)
    // declared, yet what the template holds is still reported
    expect(api.choice.reason).toBe('declared in release.yml')
    expect(api.choice.durable.map((d) => d.logicalId)).toEqual(['Database', 'Logs'])
  })

  it('takes a custom document with its version parameter and other parameters', async () => {
    const yml = `targets:
  api:
    strategy: incremental
    fleet: {group: api-fleet}
    change:
      document: MyCompany-InstallApp
      versionParameter: AppVersion
      parameters: {Mode: [fast], Channels: [a, b], Retries: 3}
`
    const api = incremental(await load(yml), 'api')
    expect(api.change).toEqual({
      document: 'MyCompany-InstallApp',
      apply: [],
      verify: [],
      current: [],
      versionParameter: 'AppVersion',
      parameters: {Mode: ['fast'], Channels: ['a', 'b'], Retries: ['3']},
    })
  })

  it('refuses a fleet with both group and tags, with neither, and with empty tags', async () => {
    const both = API.replace('fleet: {group: api-fleet}', 'fleet:\n      group: api-fleet\n      tags: {Role: api}')
    const e = await refused(both)
    expect(e.message).toBe(`release.yml:${lineOf(both, 'fleet:')}: targets.api.fleet: sets both group and tags; expected exactly one of them`)
    const neither = await refused(API.replace('{group: api-fleet}', '{}'))
    expect(neither.message).toBe(`release.yml:4: targets.api.fleet: expected exactly one of group or tags`)
    const empty = await refused(API.replace('{group: api-fleet}', '{tags: {}}'))
    expect(empty.message).toBe('release.yml:4: targets.api.fleet.tags: expected at least one tag, got a mapping')
    const nullValue = await refused(API.replace('{group: api-fleet}', '{tags: {Role: }}'))
    expect(nullValue.message).toMatch(/^release\.yml:4: targets\.api\.fleet\.tags\.Role: expected a tag value/)
    const missing = await refused(API.replace('    fleet: {group: api-fleet}\n', ''))
    expect(missing.message).toMatch(/^release\.yml:2: targets\.api: missing fleet/)
  })

  it.each([
    ['0', 'the number 0'],
    ["'0%'", 'the string "0%"'],
    ["'150%'", 'the string "150%"'],
    ['ten', 'the string "ten"'],
    ['2.5', 'the number 2.5'],
    ["'12.5%'", 'the string "12.5%"'],
  ])('refuses maxUnavailable %s', async (value, got) => {
    const yml = `${API}    maxUnavailable: ${value}\n`
    const e = await refused(yml)
    expect(e.message).toBe(
      `release.yml:${lineOf(yml, 'maxUnavailable')}: targets.api.maxUnavailable: expected a count of instances (an integer of at least 1) or a whole percentage of the fleet from 1% to 100%, got ${got}`,
    )
  })

  it('takes maxErrors 0 and 0%, refuses maxErrors x and a negative canary', async () => {
    expect(incremental(await load(`${API}    maxErrors: 0%\n`), 'api').maxErrors).toEqual({percent: 0})
    expect(incremental(await load(`${API}    maxUnavailable: 100%\n`), 'api').maxUnavailable).toEqual({percent: 100})
    const yml = `${API}    maxErrors: x\n`
    const e = await refused(yml)
    expect(e.message).toBe(
      `release.yml:${lineOf(yml, 'maxErrors')}: targets.api.maxErrors: expected a count of instances (an integer of at least 0) or a whole percentage of the fleet from 0% to 100%, got the string "x"`,
    )
    const canary = await refused(`${API}    canary: -1\n`)
    expect(canary.message).toBe('release.yml:7: targets.api.canary: expected an integer of at least 0, got the number -1')
  })

  it('refuses a shell document without apply lines', async () => {
    const yml = API.replace("      apply: ['release-sim set-version {{version}}']\n", "      verify: ['release-sim check']\n")
    const e = await refused(yml)
    expect(e.message).toMatch(new RegExp(`^release\\.yml:${lineOf(yml, 'change:')}: targets\\.api\\.change: missing apply`))
    const empty = await refused(API.replace("['release-sim set-version {{version}}']", '[]'))
    expect(empty.message).toBe('release.yml:6: targets.api.change.apply: expected a list with at least one entry, got a list')
  })

  it('refuses a custom document without versionParameter, or with shell lines', async () => {
    const custom = API.replace("      apply: ['release-sim set-version {{version}}']\n", '      document: MyCompany-InstallApp\n')
    const e = await refused(custom)
    expect(e.message).toMatch(
      new RegExp(`^release\\.yml:${lineOf(custom, 'document:')}: targets\\.api\\.change: missing versionParameter \\(the parameter of document MyCompany-InstallApp that receives the version, or \\{\\{version\\}\\} in a value of parameters\\)`),
    )
    const withApply = API.replace('    change:\n', '    change:\n      document: MyCompany-InstallApp\n      versionParameter: Version\n')
    const a = await refused(withApply)
    expect(a.message).toMatch(new RegExp(`^release\\.yml:${lineOf(withApply, 'apply:')}: targets\\.api\\.change\\.apply: apply lists shell lines, which only AWS-RunShellScript and AWS-RunPowerShellScript run`))
    const shellWithVersion = API.replace('    change:\n', '    change:\n      versionParameter: Version\n')
    const v = await refused(shellWithVersion)
    expect(v.message).toMatch(/^release\.yml:6: targets\.api\.change\.versionParameter: versionParameter is for a custom document/)
    const caseSlip = await refused(API.replace('    change:\n', '    change:\n      document: aws-runshellscript\n'))
    expect(caseSlip.message).toBe('release.yml:6: targets.api.change.document: no document "aws-runshellscript"; SSM document names are case-sensitive')
    expect(caseSlip.hint).toBe('Did you mean "AWS-RunShellScript"?')
  })
})

describe('the {{version}} placeholder in shell lines', () => {
  it.each([
    ['release-sim set-version {{version}}'],
    ["install.sh --version '{{version}}' --notes \"v{{version}}\""],
    ['cd /opt/app && ./install --version={{version}} | tee /var/log/install.log'],
    ['echo "$(date) installing" {{version}}'],
    ['V={{version}}; echo "$(install.sh --version "$V")"'],
    ["bash -c 'install.sh --version \"$1\"' _ {{version}}"],
    ['release-sim check'],
  ])('accepts %s', async (line) => {
    const config = await load(applying(line))
    expect(incremental(config, 'api').change.apply).toEqual([line])
  })

  it.each([
    ['{{verison}}', 'release-sim set-version {{verison}}', /unknown placeholder \{\{verison\}\}; the only placeholder is \{\{version\}\}/],
    ['{{ version }}', 'release-sim set-version {{ version }}', /unknown placeholder \{\{ version \}\}/],
    ['an ssm: reference', 'deploy --token {{ssm:/app/token}} {{version}}', /unknown placeholder \{\{ssm:\/app\/token\}\}/],
    ['an unclosed one', 'release-sim set-version {{version}', /unclosed placeholder/],
  ])('refuses %s, naming it', async (_what, line, problem) => {
    const yml = applying('release-sim check', line)
    const e = await refused(yml)
    expect(e.message).toMatch(new RegExp(`^release\\.yml:${lineOf(yml, line)}: targets\\.api\\.change\\.apply\\[1\\]: `))
    expect(e.message).toMatch(problem)
  })

  it.each([
    ['backticks', 'echo `install.sh --version {{version}}`', /inside backticks/],
    ['backticks in double quotes', 'echo "installed: `install.sh {{version}}`"', /inside backticks/],
    ['$(...)', 'echo $(install.sh --version {{version}})', /inside \$\(\.\.\.\)/],
    ['$(...) in double quotes', 'echo "$(install.sh --version {{version}})"', /inside \$\(\.\.\.\)/],
    ['nested $(...)', 'echo $(cat $(ls /opt/{{version}}))', /inside \$\(\.\.\.\)/],
    ['$((...))', 'echo $(( {{version}} + 1 ))', /inside \$\(\.\.\.\)/],
    ['eval', 'eval install.sh --version {{version}}', /in a line that uses eval/],
    ['eval later in the line', 'cd /opt && eval "$INSTALL" {{version}}', /in a line that uses eval/],
    ['sh -c', "sh -c 'install.sh --version {{version}}'", /inside the script of sh -c/],
    ['bash -c', 'bash -c "install.sh --version {{version}}"', /inside the script of bash -c/],
    ['sudo /bin/bash -lc', "sudo -u app /bin/bash -lc 'install.sh {{version}}'", /inside the script of bash -c/],
    ['bash -o pipefail -c', "bash -o pipefail -c 'install.sh {{version}} | tee log'", /inside the script of bash -c/],
    ['sh -c after a pipe', "true | xargs sh -c 'install.sh {{version}}'", /inside the script of sh -c/],
  ])('refuses {{version}} in %s, saying why and how to write it', async (_what, line, problem) => {
    const yml = applying('release-sim check', line)
    const e = await refused(yml)
    expect(e.message).toMatch(new RegExp(`^release\\.yml:${lineOf(yml, JSON.stringify(line))}: targets\\.api\\.change\\.apply\\[1\\]: `))
    expect(e.message).toMatch(problem)
    expect(e.hint).toMatch(/\{\{version\}\}/)
  })

  it('checks verify and current too, and points into a multi-line block at the offending line', async () => {
    const verify = await refused(API.replace('    change:\n', "    change:\n      verify: ['test \"$(cat /v)\" = {{version}}', 'x `{{version}}`']\n"))
    expect(verify.message).toMatch(/^release\.yml:6: targets\.api\.change\.verify\[1\]: \{\{version\}\} inside backticks/)
    const yml = `targets:
  api:
    strategy: incremental
    fleet: {group: api-fleet}
    change:
      apply: ['release-sim set-version {{version}}']
      current:
        - |
          set -e
          cd /opt/app
          eval ./print-version {{version}}
`
    const e = await refused(yml)
    expect(e.message).toMatch(new RegExp(`^release\\.yml:${lineOf(yml, 'eval ./print-version')}: targets\\.api\\.change\\.current\\[0\\]: \\{\\{version\\}\\} in a line that uses eval`))
  })
})

describe('the durable-resource guard of immutable targets', () => {
  const WEB = `targets:
  web:
    strategy: immutable
    template: web.yml
    trafficSources: ['${ARN}']
`

  it('refuses an immutable target whose template holds an RDS instance, at the strategy line', async () => {
    const e = await refused(WEB, {'web.yml': WITH_DATABASE})
    expect(e.message).toBe(
      'release.yml:3: targets.web.strategy: strategy immutable replaces every resource of web.yml at each release, and it holds durable resources: Database (type AWS::RDS::DBInstance holds data; DeletionPolicy Snapshot), Logs (DeletionPolicy Retain)',
    )
    expect(e.hint).toBe('Use strategy incremental or auto to change web in place, or set allowDurableReplacement: true if replacing them is intended.')
  })

  it('releases it red/black when replacing them is intended', async () => {
    const config = await load(`${WEB}    allowDurableReplacement: true\n`, {'web.yml': WITH_DATABASE})
    const web = config.targets.web!
    expect(web.strategy).toBe('immutable')
    expect(web.strategy === 'immutable' && web.allowDurableReplacement).toBe(true)
    expect(web.choice).toEqual({
      declared: 'immutable',
      strategy: 'immutable',
      reason: 'declared in release.yml',
      durable: [
        {logicalId: 'Database', type: 'AWS::RDS::DBInstance', why: 'type AWS::RDS::DBInstance holds data; DeletionPolicy Snapshot'},
        {logicalId: 'Logs', type: 'AWS::S3::Bucket', why: 'DeletionPolicy Retain'},
      ],
    })
    const notBoolean = await refused(`${WEB}    allowDurableReplacement: yes please\n`, {'web.yml': WITH_DATABASE})
    expect(notBoolean.message).toBe('release.yml:6: targets.web.allowDurableReplacement: expected true or false, got the string "yes please"')
  })
})

describe('strategy: auto', () => {
  const AUTO = `targets:
  db:
    strategy: auto
    template: db.yml
    # the settings of both strategies: the template decides which apply
    trafficSources: ['${ARN}']
    retain: 2
    fleet: {group: db-fleet}
    change:
      apply: ['release-sim set-version {{version}}']
    maxUnavailable: 1
    bake: 30s
    timeouts: {provision: 20m, apply: 15m}
`

  it('resolves to incremental for a template holding data, naming what holds it', async () => {
    const db = incremental(await load(AUTO, {'db.yml': WITH_DATABASE}), 'db')
    expect(db.choice.declared).toBe('auto')
    expect(db.choice.strategy).toBe('incremental')
    expect(db.choice.reason).toMatch(/Database \(type AWS::RDS::DBInstance holds data; DeletionPolicy Snapshot\)/)
    expect(db.choice.durable.map((d) => d.logicalId)).toEqual(['Database', 'Logs'])
    expect(db.fleet).toEqual({group: 'db-fleet'})
    expect(db.maxUnavailable).toEqual({count: 1})
    expect(db.bakeMs).toBe(30_000)
    expect(db.timeouts.applyMs).toBe(900_000)
    // the template is still parsed and carried, for release plan
    expect(db.templatePath).toBe(path.join(dir, 'db.yml'))
    expect(db.templateBody).toBe(WITH_DATABASE)
    expect(db).not.toHaveProperty('trafficSources')
  })

  it('resolves to immutable for a stateless template', async () => {
    const config = await load(AUTO, {'db.yml': STATELESS})
    const db = config.targets.db!
    if (db.strategy !== 'immutable') throw new Error('expected immutable')
    expect(db.choice).toEqual({declared: 'auto', strategy: 'immutable', reason: 'no durable resources: stateless fleet, released red/black', durable: []})
    expect(db.trafficSources).toEqual([ARN])
    expect(db.retain).toBe(2)
    expect(db.timeouts.provisionMs).toBe(1_200_000)
    expect(db).not.toHaveProperty('fleet')
  })

  it('requires a template, and the chosen strategy\'s settings, saying why it chose', async () => {
    const noTemplate = await refused(AUTO.replace('    template: db.yml\n', ''))
    expect(noTemplate.message).toMatch(/^release\.yml:2: targets\.db: missing template \(.*strategy auto chooses from its resources\)/)
    const noFleet = await refused(AUTO.replace('    fleet: {group: db-fleet}\n', ''), {'db.yml': WITH_DATABASE})
    expect(noFleet.message).toMatch(/^release\.yml:2: targets\.db: missing fleet/)
    expect(noFleet.hint).toMatch(/strategy auto chose incremental for target db: durable resources Database/)
    const noSources = await refused(AUTO.replace(`    trafficSources: ['${ARN}']\n`, ''), {'db.yml': STATELESS})
    expect(noSources.message).toMatch(/^release\.yml:2: targets\.db: missing trafficSources/)
    expect(noSources.hint).toMatch(/strategy auto chose immutable for target db: no durable resources/)
  })

  it('still refuses keys neither strategy has', async () => {
    const yml = AUTO.replace('    retain: 2\n', '    retian: 2\n')
    const e = await refused(yml, {'db.yml': WITH_DATABASE})
    expect(e.message).toMatch(new RegExp(`^release\\.yml:${lineOf(yml, 'retian')}: unknown key "retian" in targets\\.db; allowed keys: strategy, template,`))
    expect(e.hint).toBe('Did you mean "retain"?')
  })

  it('names a key of the other strategy as such on a declared strategy', async () => {
    const e = await refused(`${API}    retain: 2\n`)
    expect(e.message).toBe('release.yml:7: targets.api.retain: retain is a setting of immutable targets, and api is incremental')
  })
})

describe('simulated.fleets and simulated.documents', () => {
  const SIM = `simulated:
  fleets:
    api-fleet:
      instances: 12
      version: 1.0.0
      trafficSources: ['${ARN}']
    db-fleet: {instances: 3, version: 1.0.0}
  documents:
    MyCompany-InstallApp: {parameters: [AppVersion, Mode]}
${API}`

  it('reads seeded fleets and documents', async () => {
    const config = await load(SIM)
    expect(config.simulated.fleets).toEqual({
      'api-fleet': {instances: 12, version: '1.0.0', trafficSources: [ARN]},
      'db-fleet': {instances: 3, version: '1.0.0', trafficSources: []},
    })
    expect(config.simulated.documents).toEqual({'MyCompany-InstallApp': {parameters: ['AppVersion', 'Mode']}})
  })

  it.each([
    ['instances: 12', 'instances: 0', /simulated\.fleets\.api-fleet\.instances: expected an integer from 1 to 20000, got the number 0$/],
    ['instances: 12', 'instances: 20001', /expected an integer from 1 to 20000, got the number 20001$/],
    ['version: 1.0.0\n      traffic', 'version: 1.0\n      traffic', /simulated\.fleets\.api-fleet\.version: expected a version as a string, got the number 1\.0$/],
    ['version: 1.0.0\n      traffic', 'version: -rf\n      traffic', /simulated\.fleets\.api-fleet\.version: version "-rf" starts with '-'/],
    ['version: 1.0.0\n      traffic', 'version: 1 0\n      traffic', /simulated\.fleets\.api-fleet\.version: version "1 0" contains " "/],
    [`['${ARN}']`, "['arn:aws:s3:::bucket']", /simulated\.fleets\.api-fleet\.trafficSources\[0\]: expected an ELB target group ARN/],
    ['instances: 12', 'instance: 12', /unknown key "instance" in simulated\.fleets\.api-fleet/],
  ])('refuses %s -> %s at its line', async (from, to, problem) => {
    const yml = SIM.replace(from, to)
    const e = await refused(yml)
    const needle = to.split('\n')[0]!
    expect(e.message).toMatch(new RegExp(`^release\\.yml:${lineOf(yml, needle)}: `))
    expect(e.message).toMatch(problem)
  })

  it('refuses a fleet without instances or version', async () => {
    const e = await refused(SIM.replace('{instances: 3, version: 1.0.0}', '{instances: 3}'))
    expect(e.message).toMatch(/^release\.yml:7: simulated\.fleets\.db-fleet: missing version/)
  })

  it('checks a custom document against the simulated account\'s documents', async () => {
    const yml = SIM.replace('    change:\n      apply: [\'release-sim set-version {{version}}\']\n', '    change:\n      document: MyCompany-InstallApp\n      versionParameter: Version\n')
    const e = await refused(yml)
    expect(e.message).toBe(
      `release.yml:${lineOf(yml, 'versionParameter')}: targets.api.change.versionParameter: document MyCompany-InstallApp (simulated.documents) has no parameter "Version"; its parameters: AppVersion, Mode`,
    )
    const ok = await load(yml.replace('versionParameter: Version', 'versionParameter: AppVersion\n      parameters: {Mode: fast}'))
    expect(incremental(ok, 'api').change.parameters).toEqual({Mode: ['fast']})
  })
})

describe('gates', () => {
  it('are read per strategy, and a gate of the other strategy is refused at its line', async () => {
    const {loadConfig} = await import('../../src/config/index.js')
    const {mkdtempSync, writeFileSync, copyFileSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {join, resolve} = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'release-gates-'))
    copyFileSync(resolve(import.meta.dirname, '../../examples/quickstart/web.yml'), join(dir, 'web.yml'))
    const web = (gates: string) =>
      `targets:\n  web:\n    strategy: immutable\n    template: web.yml\n    trafficSources: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09']\n    gates: ${gates}\n`
    writeFileSync(join(dir, 'release.yml'), web('[beforeShift, beforeRetire]'))
    const config = await loadConfig(join(dir, 'release.yml'), {cwd: dir})
    expect(config.targets.web!.gates).toEqual(['beforeShift', 'beforeRetire'])
    writeFileSync(join(dir, 'release.yml'), web('[afterCanary]'))
    await expect(loadConfig(join(dir, 'release.yml'), {cwd: dir})).rejects.toMatchObject({exitCode: 2, message: expect.stringMatching(/release\.yml:6/)})
  })
})
