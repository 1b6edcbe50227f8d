/** `environments:` in release.yml: names, what differs per environment, and a config narrowed to one. */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ConfigError, loadConfig} from '../../src/config/index.js'
import {defaultEnvironment, forEnvironment} from '../../src/config/environments.js'
import {isUserError} from '../../src/errors.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef'
const TEMPLATE = `Parameters:
  Version: {Type: String}
  Size: {Type: String, Default: '2'}
Resources:
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: '1', MaxSize: {Ref: Size}}
`
const targets = (webExtra = '', apiExtra = '') => `targets:
  web:
    strategy: immutable
    template: web.yml
    trafficSources: ['${ARN}']
    parameters: {Size: 4}
${webExtra}  api:
    strategy: incremental
    fleet: {tags: {Role: api}}
    change: {apply: ['install {{version}}']}
${apiExtra}`

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-env-config-'))
  await writeFile(path.join(dir, 'web.yml'), TEMPLATE)
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

async function load(text: string) {
  await writeFile(path.join(dir, 'release.yml'), text)
  return loadConfig(undefined, {cwd: dir})
}

async function refusal(text: string): Promise<string> {
  const error = await load(text).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ConfigError)
  expect((error as ConfigError).exitCode).toBe(2)
  return `${(error as ConfigError).message}\n${(error as ConfigError).hint}`
}

const ENVS = `environments:
  staging:
    targets:
      api: {fleet: {tags: {Role: api, Env: staging}}}
  prod:
    region: eu-west-3
    protected: true
    default: true
    targets:
      web: {parameters: {Size: 8}, gates: [beforeShift]}
      api: {fleet: {group: api-prod}, gates: [afterCanary]}
`

describe('environments in release.yml', () => {
  it('without environments: the config is as before, and forEnvironment leaves it unchanged', async () => {
    const config = await load(targets())
    expect(config.environments).toBeUndefined()
    expect(forEnvironment(config, undefined)).toBe(config)
    expect(() => forEnvironment(config, 'prod')).toThrow(/no environments section/)
  })

  it('reads region, protected, default and per-target parameters, fleets and gates', async () => {
    const config = await load(ENVS + targets())
    expect(Object.keys(config.environments!)).toEqual(['staging', 'prod'])
    expect(config.environments!.prod).toMatchObject({region: 'eu-west-3', protected: true, default: true})
    expect(config.environments!.staging).toMatchObject({region: 'us-east-1', protected: false, default: false})
    expect(defaultEnvironment(config)).toBe('prod')

    const prod = forEnvironment(config, undefined)
    expect(prod.environment).toBe('prod')
    expect(prod.region).toBe('eu-west-3')
    expect(prod.targets.web).toMatchObject({parameters: {Size: '8'}, gates: ['beforeShift']})
    expect(prod.targets.api).toMatchObject({fleet: {group: 'api-prod'}, gates: ['afterCanary']})

    const staging = forEnvironment(config, 'staging')
    expect(staging.region).toBe('us-east-1')
    expect(staging.targets.web).toMatchObject({parameters: {Size: '4'}, gates: []})
    expect(staging.targets.api).toMatchObject({fleet: {tags: {Role: 'api', Env: 'staging'}}, gates: []})
  })

  it('a target scoped to some environments is unknown in the others', async () => {
    const config = await load(`environments: {staging: {}, prod: {default: true}}\n` + targets('', '    environments: [staging]\n'))
    expect(Object.keys(forEnvironment(config, 'staging').targets)).toEqual(['web', 'api'])
    expect(Object.keys(forEnvironment(config, 'prod').targets)).toEqual(['web'])
  })

  it('an unknown environment is a usage error with a did-you-mean; none default among several asks for --env', async () => {
    const config = await load(ENVS + targets())
    const error = (() => {
      try {
        forEnvironment(config, 'stagign')
      } catch (e) {
        return e
      }
    })()
    expect(isUserError(error) && error.code === 'E_UNKNOWN_ENV' && error.exitCode === 2).toBe(true)
    expect((error as Error & {hint: string}).hint).toContain('"staging"')
    const two = await load(`environments: {dev: {}, staging: {}}\n` + targets())
    expect(() => forEnvironment(two, undefined)).toThrow(/none is marked default/)
    const one = await load(`environments: {dev: {}}\n` + targets())
    expect(forEnvironment(one, undefined).environment).toBe('dev')
  })

  it('refuses bad environments', async () => {
    expect(await refusal(`environments: {Prod: {}}\n` + targets())).toMatch(/environment name "Prod" is not valid/)
    expect(await refusal(`environments: {}\n` + targets())).toMatch(/at least one environment/)
    expect(await refusal(`environments: {a: {default: true}, b: {default: true}}\n` + targets())).toMatch(/a and b are both marked default/)
    expect(await refusal(`environments: {prod: {region: mars}}\n` + targets())).toMatch(/AWS region/)
    expect(await refusal(`environments: {prod: {targets: {wbe: {}}}}\n` + targets())).toMatch(/no target "wbe"[\s\S]*Did you mean "web"/)
    expect(await refusal(`environments: {prod: {targets: {web: {fleet: {group: g}}}}}\n` + targets())).toMatch(/immutable and has no fleet/)
    expect(await refusal(`environments: {prod: {targets: {api: {parameters: {Size: 1}}}}}\n` + targets())).toMatch(/takes no template parameters/)
    expect(await refusal(`environments: {prod: {targets: {api: {gates: [beforeShift]}}}}\n` + targets())).toMatch(/beforeShift is not a gate of incremental target api/)
    expect(await refusal(`environments: {prod: {protected: yes-please}}\n` + targets())).toMatch(/true or false/)
    expect(await refusal(`environments: {prod: {colour: blue}}\n` + targets())).toMatch(/colour/)
    expect(await refusal(targets('    environments: [dev]\n'))).toMatch(/no environments section/)
    expect(await refusal(`environments: {dev: {}}\n` + targets('    environments: [deev]\n'))).toMatch(/no environment "deev"[\s\S]*Did you mean "dev"/)
    expect(await refusal(`environments: {dev: {}, prod: {targets: {web: {}}}}\n` + targets('    environments: [dev]\n'))).toMatch(/does not exist in environment prod/)
  })
})
