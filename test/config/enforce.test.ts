/**
 * release.yml for `enforce:` and for changes through SSM documents with parameters: a schedule SSM
 * would refuse and `{{version}}` where it is unsafe are exit 2 with the file's line.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ConfigError, loadConfig, type ReleaseConfig} from '../../src/config/index.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'release-config-enforce-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

async function load(yml: string): Promise<ReleaseConfig> {
  await writeFile(path.join(dir, 'release.yml'), yml)
  return loadConfig(undefined, {cwd: dir})
}

async function refusal(yml: string): Promise<ConfigError> {
  const error = await load(yml).then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(ConfigError)
  expect((error as ConfigError).exitCode).toBe(2)
  return error as ConfigError
}

const target = (lines: string) => `targets:
  api:
    strategy: incremental
    fleet: {group: api-fleet}
${lines}`

const SHELL = `    change:
      apply: ['release-sim set-version {{version}}']
`
const CHEF = (sourceInfo: string) => `    change:
      document: AWS-ApplyChefRecipes
      parameters:
        SourceType: S3
        SourceInfo: '${sourceInfo}'
        RunList: 'recipe[app::default]'
`

describe('enforce: schedule', () => {
  it('keeps a schedule SSM accepts', async () => {
    const config = await load(target(`${SHELL}    enforce: {schedule: 'rate(30 minutes)'}\n`))
    expect(config.targets['api']).toMatchObject({enforce: {schedule: 'rate(30 minutes)'}})
  })

  it('refuses a schedule SSM would refuse, on its line, naming the forms', async () => {
    const error = await refusal(target(`${SHELL}    enforce: {schedule: 'rate(10 minutes)'}\n`))
    expect(error.message).toMatch(/release\.yml:7: .*enforce\.schedule: rate\(10 minutes\) is more often than associations allow: at least every 30 minutes/)
    expect(error.hint).toMatch(/rate\(30 minutes\)/)
    await refusal(target(`${SHELL}    enforce: {schedule: 'cron(0 0/5 * * ? *)'}\n`))
    await refusal(target(`${SHELL}    enforce: {}\n`))
  })
})

describe('change: any SSM document, {{version}} in its parameters', () => {
  it('takes {{version}} in a parameter value instead of versionParameter', async () => {
    const config = await load(target(CHEF('{"path":"https://s3.amazonaws.com/cookbooks/app/{{version}}/cookbooks.tar.gz"}')))
    const api = config.targets['api']
    if (api?.strategy !== 'incremental') throw new Error('api is not incremental')
    expect(api.change.document).toBe('AWS-ApplyChefRecipes')
    expect(api.change.versionParameter).toBeUndefined()
    expect(api.change.parameters['SourceInfo']).toEqual(['{"path":"https://s3.amazonaws.com/cookbooks/app/{{version}}/cookbooks.tar.gz"}'])
  })

  it('refuses {{version}} where a shell would read it as code, and other placeholders', async () => {
    const inSubstitution = await refusal(target(CHEF('{"path":"$(curl {{version}})"}')))
    expect(inSubstitution.message).toMatch(/change\.parameters\.SourceInfo: \{\{version\}\} inside \$\(\.\.\.\)/)
    const unknown = await refusal(target(CHEF('{"path":"s3://b/{{ version }}.tgz"}')))
    expect(unknown.message).toMatch(/unknown placeholder/)
  })

  it('still needs the version somewhere: versionParameter or {{version}} in a value', async () => {
    const error = await refusal(target(CHEF('{"path":"https://s3.amazonaws.com/cookbooks/app.tar.gz"}')))
    expect(error.message).toMatch(/versionParameter/)
  })
})
