/**
 * The JSON the built `release` binary prints, checked against the schemas published in docs/schemas:
 * a renamed, missing or extra field fails here with ajv's own words. One quickstart copy runs a short
 * story (a rollout per target, a gate, a detached rollout, a crash) so that every shape is produced
 * for real, with few CLI runs.
 */
import {readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import {beforeAll, describe, expect, it} from 'vitest'
import {json, release, type CliResult} from '../e2e/cli.js'
import {copyQuickstart} from '../fakes/workspace.js'

const SCHEMAS = resolve(import.meta.dirname, '../../docs/schemas')

// ajv-formats is CommonJS: its default export arrives wrapped or not depending on the loader.
const addFormats = ((addFormatsModule as unknown as {default?: unknown}).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020

// Strict, except for `required` inside if/then, which names properties declared one level up.
const ajv = addFormats(new Ajv2020({allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true}))

function schema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8')) as Record<string, unknown>
}

function validator(name: string, pointer?: string): ValidateFunction {
  const whole = schema(name)
  // A sub-schema (e.g. one status object rather than "one or an array") keeps its file's $defs.
  return ajv.compile(pointer ? {$ref: pointer, $defs: whole.$defs} : whole)
}

/** Passes when `value` fits; otherwise fails with ajv's errors, one per line. */
function expectValid(validate: ValidateFunction, value: unknown, what: string): void {
  const ok = validate(value)
  expect(ok, `${what} does not fit its schema:\n${ajv.errorsText(validate.errors, {separator: '\n', dataVar: what})}\n${JSON.stringify(value, null, 2).slice(0, 2000)}`).toBe(true)
}

/** A copy of the quickstart (targets web, api, db) in a temp directory, with a gate after api's canary. */
function quickstart(): string {
  const dir = copyQuickstart('release-schemas-')
  const file = join(dir, 'release.yml')
  const config = readFileSync(file, 'utf8')
  const withGate = config.replace(/^( {4}bake: 30s.*)$/m, '$1\n    gates: [afterCanary]')
  if (withGate === config) throw new Error('the quickstart changed: no "bake: 30s" line under api to put a gate after')
  writeFileSync(file, withGate)
  return dir
}

function code(result: CliResult, expected: number): CliResult {
  expect(result.code, `exit ${result.code}, expected ${expected}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(expected)
  return result
}

function lines(result: CliResult): unknown[] {
  return result.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown)
}

interface Outputs {
  rolloutWeb: unknown
  pausedApi: unknown
  promotedApi: unknown
  detached: unknown
  waited: unknown
  statusWeb: unknown
  statusAll: unknown
  history: unknown
  locks: unknown
  plans: Record<'web' | 'api' | 'db', unknown>
  eventsApi: unknown[]
  eventsWeb: unknown[]
  errorRefused: unknown
  errorEvents: unknown[]
  sim: unknown
  tidy: unknown
  driftDb: unknown
  driftWeb: unknown
}

describe('JSON printed by the CLI fits docs/schemas', () => {
  let out: Outputs

  beforeAll(async () => {
    const cwd = quickstart()
    const run = (args: string[], env?: Record<string, string>) => release(args, {cwd, env})

    const rolloutWeb = json(code(await run(['rollout', 'web', '--version', '2.0.0', '--json']), 0))
    const pausedApi = json(code(await run(['rollout', 'api', '--version', '2.0.0', '--json']), 10))
    const promotedApi = json(code(await run(['promote', 'api', '--json']), 0))
    const detached = json(code(await run(['rollout', 'db', '--version', '2.0.0', '--detach', '--json']), 0))
    const waited = json(code(await run(['wait', 'db', '--timeout', '5m', '--json']), 0))
    // Killed right after persisting shifting: the lease stays on disk and the release is interrupted.
    const killed = await run(['rollout', 'web', '--version', '2.1.0'], {RELEASE_TEST_CRASH_AT: 'shifting'})
    expect(killed.code, killed.stderr).not.toBe(0)

    // Reads only, side by side.
    const [statusWeb, statusAll, history, locks, planWeb, planApi, planDb, eventsApi, eventsWeb, sim] = await Promise.all([
      run(['status', 'web', '--json']),
      run(['status', '--json']),
      run(['history', 'web', '--json']),
      run(['locks', '--json']),
      run(['plan', 'web', '--version', '3.0.0', '--json']),
      run(['plan', 'api', '--version', '3.0.0', '--json']),
      run(['plan', 'db', '--version', '3.0.0', '--json']),
      run(['events', 'api', '--json']),
      run(['events', 'web', '--json']),
      run(['sim', 'show', '--json']),
    ])
    const errorRefused = json(code(await run(['rollout', 'web', '--version', '2.2.0', '--json']), 2))
    const errorEvents = lines(code(await run(['events', 'web', '--release', 'web-99', '--json']), 2))
    const tidy = json(code(await run(['tidy', 'db', '--json']), 0))
    // api went live untouched since: in sync (0); then an instance changed by hand: drifted (6).
    const driftDb = json(code(await run(['drift', 'api', '--json']), 0))
    const view = json<{groups: {name: string; instances: {id: string}[]}[]}>(code(sim, 0))
    const apiInstance = view.groups.find((g) => g.name.includes('api'))!.instances[0]!.id
    code(await run(['sim', 'drift', 'instance', apiInstance, '--version', '0.9.0']), 0)
    const driftWeb = json(code(await run(['drift', 'api', '--json']), 6))
    code(await run(['drift', 'nope', '--json']), 2)

    out = {
      rolloutWeb,
      pausedApi,
      promotedApi,
      detached,
      waited,
      statusWeb: json(code(statusWeb, 0)),
      statusAll: json(code(statusAll, 0)),
      history: json(code(history, 0)),
      locks: json(code(locks, 0)),
      plans: {web: json(code(planWeb, 0)), api: json(code(planApi, 0)), db: json(code(planDb, 0))},
      eventsApi: lines(code(eventsApi, 0)),
      eventsWeb: lines(code(eventsWeb, 0)),
      errorRefused,
      errorEvents,
      sim: json(code(sim, 0)),
      tidy,
      driftDb,
      driftWeb,
    }
  }, 180_000)

  it('every schema is valid draft 2020-12 and compiles in strict mode', () => {
    const files = readdirSync(SCHEMAS).filter((f) => f.endsWith('.schema.json'))
    expect(files.sort()).toEqual(
      ['detach', 'drift', 'error', 'event', 'history', 'locks', 'plan', 'sim-account', 'status', 'tidy'].map((n) => `${n}.schema.json`),
    )
    for (const file of files) {
      expect(schema(file).$schema).toBe('https://json-schema.org/draft/2020-12/schema')
      expect(() => validator(file), file).not.toThrow()
    }
  })

  it('history repeats the release object of status word for word', () => {
    const status = schema('status.schema.json').$defs as Record<string, unknown>
    const history = schema('history.schema.json').$defs as Record<string, unknown>
    for (const name of Object.keys(history)) expect(history[name], `$defs/${name}`).toEqual(status[name])
  })

  it('status of one target, and of all targets', () => {
    const one = validator('status.schema.json', '#/$defs/status')
    expectValid(one, out.statusWeb, 'status web')
    // The crashed rollout: in progress, its lease left behind, interrupted.
    expect(out.statusWeb).toMatchObject({release: {outcome: 'inProgress', state: 'shifting'}, lock: {stale: true}, interrupted: true})
    const all = validator('status.schema.json')
    expectValid(all, out.statusAll, 'status')
    expect(Array.isArray(out.statusAll) && out.statusAll.map((s: {target: string}) => s.target)).toEqual(['web', 'api', 'db'])
  })

  it('the final status of rollout, promote and wait (succeeded, paused)', () => {
    const one = validator('status.schema.json', '#/$defs/status')
    expectValid(one, out.rolloutWeb, 'rollout web')
    expectValid(one, out.pausedApi, 'rollout api (paused)')
    expect(out.pausedApi).toMatchObject({release: {outcome: 'paused', state: 'pausedAfterCanary'}})
    expectValid(one, out.promotedApi, 'promote api')
    expectValid(one, out.waited, 'wait db')
  })

  it('history', () => {
    expectValid(validator('history.schema.json'), out.history, 'history web')
    expect(out.history).toHaveLength(2)
  })

  it('plan of web (immutable), api (incremental) and db (auto)', () => {
    const plan = validator('plan.schema.json')
    for (const [target, value] of Object.entries(out.plans)) expectValid(plan, value, `plan ${target}`)
    expect(out.plans.db).toMatchObject({declared: 'auto', strategy: 'incremental'})
  })

  it('locks', () => {
    expectValid(validator('locks.schema.json'), out.locks, 'locks')
    expect(out.locks).toHaveLength(1)
  })

  it('every line of events --json', () => {
    const event = validator('event.schema.json')
    const all = [...out.eventsApi, ...out.eventsWeb]
    all.forEach((entry, i) => expectValid(event, entry, `events line ${i + 1}`))
    // Each kind of entry was produced: instance records (api), a note (promote resumes), transitions, progress.
    expect(new Set(all.map((e) => (e as {type: string}).type))).toEqual(new Set(['transition', 'progress', 'note', 'instance']))
  })

  it('an error with --json, and an error line of events --json', () => {
    const error = validator('error.schema.json')
    expectValid(error, out.errorRefused, 'rollout refused')
    expect(out.errorRefused).toMatchObject({error: {code: 'E_INTERRUPTED', exitCode: 2}})
    expect(out.errorEvents).toHaveLength(1)
    expectValid(error, out.errorEvents[0], 'events error line')
  })

  it('rollout --detach --json', () => {
    expectValid(validator('detach.schema.json'), out.detached, 'rollout --detach')
    expect(out.detached).toMatchObject({id: 'db-1', target: 'db'})
  })

  it('sim show --json', () => {
    expectValid(validator('sim-account.schema.json'), out.sim, 'sim show')
  })

  it('drift --json', () => {
    expectValid(validator('drift.schema.json'), out.driftDb, 'driftDb')
    expectValid(validator('drift.schema.json'), out.driftWeb, 'driftWeb')
    expect(out.driftDb).toMatchObject([{target: 'api', inSync: true, findings: []}])
    expect(out.driftWeb).toMatchObject([{target: 'api', inSync: false, findings: [expect.objectContaining({kind: 'instanceVersion', actual: '0.9.0'})]}])
  })

  it('tidy --json', () => {
    expectValid(validator('tidy.schema.json'), out.tidy, 'tidy')
    expect(out.tidy).toMatchObject([{target: 'db', ended: null, skipped: null}])
  })

  it('the schemas catch a renamed or a missing field', () => {
    const one = validator('status.schema.json', '#/$defs/status')
    const renamed = structuredClone(out.rolloutWeb) as {release: Record<string, unknown>}
    renamed.release.result = renamed.release.outcome
    delete renamed.release.outcome
    expect(one(renamed)).toBe(false)
    const unknownOutcome = structuredClone(out.rolloutWeb) as {release: Record<string, unknown>}
    unknownOutcome.release.outcome = 'done'
    expect(one(unknownOutcome)).toBe(false)
    const noTarget = structuredClone(out.locks) as Record<string, unknown>[]
    delete noTarget[0]!.target
    expect(validator('locks.schema.json')(noTarget)).toBe(false)
  })
})
