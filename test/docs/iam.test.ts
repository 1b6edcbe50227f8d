/**
 * docs/iam.md is a promise: the actions its table gives for a command, and the CI role's policy, are
 * enough for that command. Each command runs here on a copy of the quickstart (with notices to an SNS
 * topic and an EventBridge bus, and a group kept warm) against the simulated account, first set up with
 * every action allowed, then with only those actions allowed (faults.allowActions, refused as AWS
 * refuses them). Every call it makes must be allowed, including those whose refusal a command would
 * tolerate (a drift check that cannot run is a warning): a call the docs forgot fails the test, named.
 */
import {appendFileSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {simAccountSettings} from '../../src/app/account.js'
import {converge} from '../../src/app/converge.js'
import {drift} from '../../src/app/drift.js'
import {createEnvironment} from '../../src/app/environments/create.js'
import {destroyEnvironment} from '../../src/app/environments/destroy.js'
import {listEnvironments} from '../../src/app/environments/list.js'
import {rebuildLedger} from '../../src/app/ledger-rebuild.js'
import {planRelease} from '../../src/app/plan.js'
import {abort, promote, resume, rollback, rollout} from '../../src/app/release.js'
import {tidy} from '../../src/app/tidy.js'
import {openWorkspace, type Workspace} from '../../src/app/workspace.js'
import {allows, iamAction} from '../../src/sim/iam.js'
import {SimAccount, type SimService} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'
import {dieAt, leaveLeaseStale, sendTo} from '../fakes/crash.js'
import {copyQuickstart} from '../fakes/workspace.js'

const DOC = readFileSync(join(import.meta.dirname, '../../docs/iam.md'), 'utf8')

/** The table's service columns whose actions are written without their prefix. */
const PREFIX_OF_COLUMN: Record<string, string> = {CloudFormation: 'cloudformation', 'Auto Scaling': 'autoscaling', SSM: 'ssm', ELBv2: 'elasticloadbalancing'}

function cells(line: string): string[] {
  return line.split('|').slice(1, -1).map((c) => c.trim())
}

/**
 * The actions of the table row whose command cell is `command` (the DynamoDB column aside: state is
 * in files here). Every action the row names counts, those it names as conditional too: a policy
 * holds them all.
 */
function rowActions(command: string): string[] {
  const lines = DOC.split('\n')
  const start = lines.findIndex((l) => l.startsWith('| command |'))
  const header = cells(lines[start]!)
  const line = lines.slice(start + 2).find((l) => l.startsWith('|') && cells(l)[0] === command)
  if (!line) throw new Error(`docs/iam.md has no row for ${command}`)
  return cells(line).flatMap((cell, i) => {
    const prefix = PREFIX_OF_COLUMN[header[i]!]
    return [...cell.matchAll(/`([A-Za-z:]+)`/g)].flatMap(([, token]) => {
      if (prefix) return /^[A-Z][A-Za-z]+$/.test(token!) ? [`${prefix}:${token}`] : []
      return i > 1 && /^[a-z]+:[A-Z][A-Za-z]+$/.test(token!) ? [token!] : []
    })
  })
}

/** Every action of the CI role's policy (the first JSON block under its heading). */
function ciRoleActions(): string[] {
  const section = DOC.slice(DOC.indexOf('## The CI role that releases'))
  const policy = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section)![1]!) as {Statement: {Action: string | string[]}[]}
  return policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
}

interface Quickstart {
  dir: string
  ws: Workspace
  sim: SimAccount
  clock: VirtualClock
}

/**
 * The quickstart with notices and web kept warm 5 minutes (and with `gated`, web and api pausing at a
 * gate), on an in-memory account allowing everything.
 */
async function quickstart(gated = false): Promise<Quickstart> {
  const dir = copyQuickstart('release-iam-')
  const file = join(dir, 'release.yml')
  let yml = readFileSync(file, 'utf8').replace('    retain: 1\n', '    retain: 1\n    keepWarm: 5m\n')
  if (gated) yml = yml.replace('    bake: 1m\n', '    bake: 1m\n    gates: [beforeShift]\n').replace(/( {4}bake: 30s[^\n]*\n)/, '$1    gates: [afterCanary]\n')
  writeFileSync(file, yml)
  appendFileSync(file, '\nnotify:\n  - sns: arn:aws:sns:us-east-1:123456789012:releases\n  - eventBridge: arn:aws:events:us-east-1:123456789012:event-bus/releases\n')
  const ws = await openWorkspace({configPath: file, cwd: dir})
  const clock = new VirtualClock()
  return {dir, ws, sim: SimAccount.open({...simAccountSettings(ws.config), clock}), clock}
}

/** What each command was checked on: a rollout of each target first, everything allowed. */
async function live(q: Quickstart): Promise<void> {
  for (const [target, version] of [['web', '1.0.0'], ['api', '2.0.0'], ['db', '2.0.0']] as const) {
    expect((await rollout(q.ws, {target, version}, {}, {sim: q.sim})).outcome).toBe('succeeded')
  }
}

async function succeeds(result: Promise<{outcome?: string; exitCode?: number; message?: string}>): Promise<void> {
  const r = await result
  expect(r.outcome === 'succeeded' || r.exitCode === 0, r.message).toBe(true)
}

function instanceOf(q: Quickstart, group: (name: string) => boolean): string {
  return q.sim.view().groups.find((g) => group(g.name))!.instances[0]!.id
}

/** Starts a release of `target` to `version` whose process dies right after its first SendCommand (its lease left stale). */
async function crashAfterFirstSend(q: Quickstart, target: string, version: string): Promise<void> {
  const {dead, revive} = dieAt(q.sim, 'after', (service, command, input) => sendTo(version, service, command, input))
  void rollout(q.ws, {target, version}, {}, {sim: q.sim})
  await dead
  revive()
  await leaveLeaseStale(q.ws.store, target)
}

/** A command of the table (its row's command cell), set up with everything allowed, then run with `allow` only. */
interface Scenario {
  name: string
  row: string
  /** Web and api pause at a gate (beforeShift, afterCanary). */
  gated?: boolean
  setup: (q: Quickstart) => Promise<void>
  run: (q: Quickstart) => Promise<void>
}

const IMMUTABLE = '`rollout`, `rollback`, `converge`, `resume`, `promote`, `abort` (immutable)'
const INCREMENTAL = '`rollout`, `rollback`, `converge`, `resume`, `promote`, `abort` (incremental)'

const SCENARIOS: Scenario[] = [
  {
    name: 'plan, nothing live',
    row: '`plan`',
    setup: async () => {},
    run: async (q) => {
      for (const target of ['web', 'api', 'db']) await planRelease(q.ws, {target, version: '2.0.0'}, {sim: q.sim})
    },
  },
  {
    name: 'plan, each target live (its drift is checked)',
    row: '`plan`',
    setup: live,
    run: async (q) => {
      for (const target of ['web', 'api', 'db']) await planRelease(q.ws, {target, version: '3.0.0'}, {sim: q.sim})
    },
  },
  {
    name: 'rollout, rollback and converge (immutable)',
    row: IMMUTABLE,
    setup: live,
    run: async (q) => {
      await succeeds(rollout(q.ws, {target: 'web', version: '2.0.0'}, {}, {sim: q.sim}))
      await succeeds(rollback(q.ws, {target: 'web'}, {}, {sim: q.sim}))
      q.sim.causeDrift({kind: 'instance', instanceId: instanceOf(q, (g) => g.startsWith('release-prod-web-')), version: '0.9.0'})
      await succeeds(converge(q.ws, {target: 'web'}, {}, {sim: q.sim}))
    },
  },
  {
    name: 'rollout, rollback and converge (incremental)',
    row: INCREMENTAL,
    setup: live,
    run: async (q) => {
      await succeeds(rollout(q.ws, {target: 'api', version: '3.0.0'}, {}, {sim: q.sim}))
      await succeeds(rollback(q.ws, {target: 'api'}, {}, {sim: q.sim}))
      await succeeds(rollout(q.ws, {target: 'db', version: '3.0.0'}, {}, {sim: q.sim}))
      q.sim.causeDrift({kind: 'instance', instanceId: instanceOf(q, (g) => g === 'api-fleet'), version: '1.0.0'})
      await succeeds(converge(q.ws, {target: 'api'}, {}, {sim: q.sim}))
    },
  },
  ...(['immutable', 'incremental'] as const).map(
    (strategy): Scenario => ({
      name: `promote and abort at a gate (${strategy})`,
      row: strategy === 'immutable' ? IMMUTABLE : INCREMENTAL,
      gated: true,
      setup: async (q) => {
        // The first release of each pauses too: promoted with everything allowed.
        for (const target of ['web', 'api']) {
          expect((await rollout(q.ws, {target, version: '2.0.0'}, {}, {sim: q.sim})).outcome).toBe('paused')
          expect((await promote(q.ws, {target}, {}, {sim: q.sim})).outcome).toBe('succeeded')
        }
      },
      run: async (q) => {
        const target = strategy === 'immutable' ? 'web' : 'api'
        expect((await rollout(q.ws, {target, version: '3.0.0'}, {}, {sim: q.sim})).outcome).toBe('paused')
        expect((await promote(q.ws, {target}, {}, {sim: q.sim})).outcome).toBe('succeeded')
        expect((await rollout(q.ws, {target, version: '4.0.0'}, {}, {sim: q.sim})).outcome).toBe('paused')
        expect((await abort(q.ws, {target}, {}, {sim: q.sim})).outcome).toBe('aborted')
      },
    }),
  ),
  {
    name: 'resume after a crash (incremental)',
    row: INCREMENTAL,
    setup: async (q) => {
      await live(q)
      await crashAfterFirstSend(q, 'api', '3.0.0')
    },
    run: async (q) => {
      expect((await resume(q.ws, {target: 'api'}, {}, {sim: q.sim})).outcome).toBe('succeeded')
    },
  },
  {
    name: 'drift',
    row: '`drift`',
    setup: live,
    run: async (q) => {
      q.sim.causeDrift({kind: 'instance', instanceId: instanceOf(q, (g) => g === 'api-fleet'), version: '1.0.0'})
      expect((await drift(q.ws, {}, {sim: q.sim})).map((r) => r.inSync)).toEqual([true, false, true])
    },
  },
  {
    name: 'tidy',
    row: '`tidy`',
    setup: async (q) => {
      await live(q)
      expect((await rollout(q.ws, {target: 'web', version: '2.0.0'}, {}, {sim: q.sim})).outcome).toBe('succeeded')
      q.clock.advance(10 * 60_000)
    },
    run: async (q) => {
      expect((await tidy(q.ws, {target: 'web'}, {sim: q.sim}))[0]!.ended).toMatchObject({done: 'scaledToZero'})
    },
  },
  {
    name: 'ledger rebuild',
    row: '`ledger rebuild`',
    setup: live,
    run: async (q) => {
      await rebuildLedger(q.ws, {target: 'web'}, {sim: q.sim})
    },
  },
  ...(['`env create`, `env resume`', '`env list`', '`env destroy`, `env reap`'] as const).map((row, step): Scenario => ({
    name: ['env create', 'env list', 'env destroy'][step]!,
    row,
    setup: async (q) => {
      const staging = await openWorkspace({configPath: join(q.dir, 'release.yml'), cwd: q.dir, env: 'staging'})
      for (const target of ['web', 'db']) expect((await rollout(staging, {target, version: '2.0.0'}, {}, {sim: q.sim})).outcome).toBe('succeeded')
      // The steps before this row's, everything allowed.
      if (step > 0) expect((await createEnvironment(q.ws, {name: 'demo', from: 'staging'}, {}, {sim: q.sim})).outcome).toBe('ready')
    },
    run: async (q) => {
      if (step === 0) expect((await createEnvironment(q.ws, {name: 'demo', from: 'staging'}, {}, {sim: q.sim})).outcome).toBe('ready')
      if (step === 1) expect((await listEnvironments(q.ws, {sim: q.sim}, {account: true})).find((e) => e.name === 'demo')?.instances).toBeGreaterThan(0)
      if (step === 2) expect((await destroyEnvironment(q.ws, 'demo', {sim: q.sim})).message).toMatch(/^environment demo destroyed/)
    },
  })),
]

/** Runs a scenario with `allow` only after its set-up; the actions it called that `allow` does not allow. */
async function deniedIn(scenario: Scenario, allow: string[]): Promise<{missing: string[]; denied: number}> {
  const q = await quickstart(scenario.gated)
  await scenario.setup(q)
  q.sim.setFaults({...q.sim.faults, allowActions: allow})
  q.sim.resetMetrics()
  await scenario.run(q)
  const called = Object.keys(q.sim.metrics().calls).map((key) => {
    const [service, command] = key.split(':') as [SimService, string]
    return iamAction(service, command)
  })
  return {missing: [...new Set(called)].filter((action) => !allows(allow, action)).sort(), denied: q.sim.metrics().denied}
}

describe('docs/iam.md', () => {
  it('reads the actions of the table and of the CI role', () => {
    expect(rowActions('`plan`')).toContain('elasticloadbalancing:DescribeTargetGroupAttributes')
    expect(rowActions(INCREMENTAL)).toEqual(expect.arrayContaining(['autoscaling:EnterStandby', 'ssm:SendCommand', 'cloudwatch:DescribeAlarms', 'sns:Publish', 'events:PutEvents']))
    expect(ciRoleActions()).toEqual(expect.arrayContaining(['autoscaling:ExitStandby', 'cloudformation:CreateStack']))
  })

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: its row allows every call it makes', async (_name, scenario) => {
    expect(await deniedIn(scenario, rowActions(scenario.row))).toEqual({missing: [], denied: 0})
  })

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: the CI role allows every call', async (_name, scenario) => {
    expect(await deniedIn(scenario, ciRoleActions())).toEqual({missing: [], denied: 0})
  })

  it('an action left out is refused as AWS refuses it, and the release names it', async () => {
    const q = await quickstart()
    q.sim.setFaults({...q.sim.faults, allowActions: rowActions(INCREMENTAL).filter((a) => a !== 'autoscaling:EnterStandby')})
    const said = await rollout(q.ws, {target: 'api', version: '2.0.0'}, {}, {sim: q.sim}).then(
      (r) => `${r.outcome}: ${r.message}`,
      (error: unknown) => (error as Error).message,
    )
    expect(said).toContain('autoscaling:EnterStandby')
    expect(q.sim.metrics().denied).toBeGreaterThan(0)
  })
})
