/**
 * A throw-away project for tests: release.yml and the quickstart's web template in a temp directory,
 * with the state directory inside it, and an in-memory simulated account on a virtual clock.
 */
import {copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join, resolve} from 'node:path'
import {openWorkspace, type Workspace} from '../../src/app/workspace.js'
import {SimAccount, type SimFaults, type SimTargetGroup} from '../../src/sim/index.js'
import {VirtualClock} from '../../src/util/clock.js'

export const QUICKSTART = resolve(import.meta.dirname, '../../examples/quickstart')
/**
 * A copy of the quickstart (release.yml and its templates) in a new temp directory, without the state
 * a user left in examples/quickstart by trying it (.release): tests start from the files alone.
 */
export function copyQuickstart(prefix = 'release-qs-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  cpSync(QUICKSTART, dir, {recursive: true, filter: (source) => basename(source) !== '.release'})
  return dir
}

export const TRAFFIC_SOURCE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09'

/** The traffic source of web in `staging`, beside TRAFFIC_SOURCE (prod's). */
export const STAGING_SOURCE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-staging/0123456789abcdef'

/** Appends `staging` (web on STAGING_SOURCE, 2 instances) and `prod` (protected, default) to a project's release.yml, then `more`. */
export function addEnvironments(dir: string, more = ''): void {
  const file = join(dir, 'release.yml')
  writeFileSync(
    file,
    readFileSync(file, 'utf8') +
      `environments:
  staging:
    targets:
      web: {trafficSources: ['${STAGING_SOURCE}'], parameters: {DesiredCapacity: 2}}
  prod:
    protected: true
    default: true
` +
      more,
  )
}

export interface ProjectOptions {
  capacity?: number
  retain?: number
  bake?: string
  verify?: boolean
  /** Extra YAML appended under targets.web. */
  extra?: string
  /**
   * Settings of web's target group (TRAFFIC_SOURCE) in the simulated account: quicker health checks
   * or a shorter deregistration delay shorten the virtual time a rollout spends before its bake, and
   * so the real time of a test that paces it.
   */
  targetGroup?: SimTargetGroup
}

/** Writes a project directory and returns its path. */
export function makeProject(options: ProjectOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-test-'))
  copyFileSync(join(QUICKSTART, 'web.yml'), join(dir, 'web.yml'))
  writeFileSync(
    join(dir, 'release.yml'),
    `account: simulated
simulated:
  speed: instant
${options.targetGroup ? `  targetGroups:\n    ${TRAFFIC_SOURCE}: ${JSON.stringify(options.targetGroup)}\n` : ''}  faults:
    unhealthyVersions: ['*-bad', '*-stuck']
    failStackCreation: ['*-nostack']
    # A version whose stack cannot be deleted: its rollback fails (exit 1).
    failStackDeletion: ['*-stuck']
    # -flaky degrades after the shift (healthy checks, 300 s of draining), in the 2 min bake.
    degradeVersions: [{pattern: '*-flaky', afterSeconds: 540}]
targets:
  web:
    strategy: immutable
    template: web.yml
    parameters:
      DesiredCapacity: ${options.capacity ?? 3}
    trafficSources:
      - ${TRAFFIC_SOURCE}
    retain: ${options.retain ?? 1}
    bake: ${options.bake ?? '2m'}
${options.verify === false ? '' : "    verify:\n      commands: ['curl -fsS localhost/health']\n"}${options.extra ?? ''}`,
  )
  return dir
}

/**
 * A project set up once and copied for every test that starts from it: the first call makes it
 * (`make`) and runs `prepare` on it (a first rollout, say); every call returns a new directory holding
 * a copy of it as `prepare` left it, release.yml, templates and state (.release: ledger, journals,
 * the simulated account). Tests that share a set-up pay for it once, not once each, and each still
 * works in a directory of its own; the prepared one is never handed out. `make` may itself be a
 * prepared project's function, to build on its state.
 */
export function preparedProject(make: () => string | Promise<string>, prepare: (dir: string) => Promise<void>): () => Promise<string> {
  let prepared: Promise<string> | undefined
  return async () => {
    prepared ??= (async () => {
      const dir = await make()
      await prepare(dir)
      return dir
    })()
    const dir = await prepared
    const copy = mkdtempSync(join(tmpdir(), 'release-test-'))
    cpSync(dir, copy, {recursive: true})
    return copy
  }
}

export interface TestProject {
  dir: string
  ws: Workspace
  clock: VirtualClock
  sim: SimAccount
}

export async function openProject(options: ProjectOptions & {faults?: SimFaults} = {}): Promise<TestProject> {
  const dir = makeProject(options)
  const ws = await openWorkspace({configPath: join(dir, 'release.yml'), cwd: dir})
  const clock = new VirtualClock()
  const sim = SimAccount.open({
    clock,
    seed: 3,
    targetGroups: {[TRAFFIC_SOURCE]: options.targetGroup ?? {}},
    faults: options.faults ?? {unhealthyVersions: ['*-bad'], failStackCreation: ['*-nostack']},
  })
  return {dir, ws, clock, sim}
}
