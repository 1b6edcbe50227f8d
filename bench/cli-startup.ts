/**
 * Start-up of the `release` CLI, as a person or a CI step feels it: `release --version`, and
 * `release status` / `release history` on a local state directory (the quickstart with one release
 * done), each against `node -e 0` and a bare oclif CLI with one trivial command, measured in the same
 * run, interleaved, median of repeated runs.
 */
import {spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {createRequire} from 'node:module'
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {median, round} from './lib/args.js'
import {QUICKSTART} from './lib/project.js'

const REPO = resolve(import.meta.dirname, '../..')
const RELEASE_BIN = join(REPO, 'bin/run.js')

export interface CliRecord {
  case: 'cli'
  command: string
  medianMs: number
  ratioToBareOclif: number
  ratioToNode: number
  runs: number
  minMs: number
  maxMs: number
  /** For `release status`: self time by module in one run under --cpu-prof (ms), largest first. */
  profile?: Record<string, number>
  /**
   * For `release status`: what its own work costs in a fresh process (median ms of each step, done
   * one after the other as the command does them, without oclif's own start-up).
   */
  phases?: Record<string, number>
}

/** A one-command oclif CLI in a temp directory, on this repository's @oclif/core, with a manifest like ours. */
function bareOclif(): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-bench-oclif-'))
  mkdirSync(join(dir, 'node_modules/@oclif'), {recursive: true})
  symlinkSync(join(REPO, 'node_modules/@oclif/core'), join(dir, 'node_modules/@oclif/core'), 'dir')
  mkdirSync(join(dir, 'bin'))
  mkdirSync(join(dir, 'commands'))
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({name: 'bare', version: '1.0.0', type: 'module', bin: {bare: './bin/run.js'}, oclif: {bin: 'bare', dirname: 'bare', commands: './commands'}}, null, 2),
  )
  writeFileSync(join(dir, 'bin/run.js'), `#!/usr/bin/env node\nconst {execute} = await import('@oclif/core')\nawait execute({dir: import.meta.url})\n`)
  writeFileSync(
    join(dir, 'commands/hello.js'),
    `import {Command} from '@oclif/core'\nexport default class Hello extends Command {\n  static description = 'Say hello'\n  async run() {\n    this.log('hello')\n  }\n}\n`,
  )
  // The same manifest generation as scripts/manifest.js, so both CLIs start from a manifest.
  const manifest = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import {writeFileSync} from 'node:fs'\nimport {Plugin} from '@oclif/core'\nconst plugin = new Plugin({root: process.cwd(), type: 'core', ignoreManifest: true, errorOnManifestCreate: true})\nawait plugin.load()\nwriteFileSync('oclif.manifest.json', JSON.stringify(plugin.manifest))`,
    ],
    {cwd: dir, encoding: 'utf8'},
  )
  if (manifest.status !== 0) throw new Error(`could not write the bare CLI's manifest: ${manifest.stderr}`)
  return dir
}

/** The quickstart in a temp directory with one release of `web` done (its own state directory). */
function quickstartWithOneRelease(): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-bench-qs-'))
  cpSync(QUICKSTART, dir, {recursive: true})
  const run = spawnSync(process.execPath, [RELEASE_BIN, 'rollout', 'web', '--version', '2.0.0'], {
    cwd: dir,
    encoding: 'utf8',
    env: {...process.env, RELEASE_SIM_SPEED: 'instant'},
  })
  if (run.status !== 0) throw new Error(`the quickstart release failed (exit ${run.status}): ${run.stderr}`)
  return dir
}

interface Subject {
  command: string
  args: string[]
  cwd: string
}

function timeOnce(subject: Subject): number {
  const started = performance.now()
  const run = spawnSync(process.execPath, subject.args, {cwd: subject.cwd, encoding: 'utf8', env: {...process.env}})
  const ms = performance.now() - started
  if (run.status !== 0) throw new Error(`${subject.command} exited ${run.status}: ${run.stderr}`)
  return ms
}

/**
 * One run under the V8 profiler, self time grouped by what ran: a package of node_modules, a file
 * of this repository, or Node's own module loading and the garbage collector.
 */
function profile(subject: Subject): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'release-bench-prof-'))
  const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...subject.args], {cwd: subject.cwd, encoding: 'utf8'})
  if (run.status !== 0) throw new Error(`${subject.command} under --cpu-prof exited ${run.status}`)
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))!
  const text = readFileSync(join(dir, file), 'utf8')
  rmSync(dir, {recursive: true, force: true})
  const data = JSON.parse(text) as {
    nodes: {id: number; callFrame: {url: string; functionName: string}}[]
    samples: number[]
    timeDeltas: number[]
  }
  const nodes = new Map(data.nodes.map((node) => [node.id, node]))
  const buckets = new Map<string, number>()
  data.samples.forEach((id, i) => {
    const frame = nodes.get(id)!.callFrame
    const url = frame.url
    let bucket: string
    if (url.includes('/node_modules/')) {
      const rest = url.split('/node_modules/').at(-1)!.split('/')
      bucket = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
    } else if (url.startsWith(`file://${REPO}/`)) bucket = `release: ${url.slice(`file://${REPO}/`.length).replace(/^dist\//, '').split('/').slice(0, 2).join('/')}`
    else if (url.startsWith('node:internal/modules')) bucket = 'node: module loading'
    else if (url.startsWith('node:')) bucket = 'node: other built-ins'
    else bucket = frame.functionName === '(garbage collector)' ? 'garbage collector' : frame.functionName === '(program)' ? 'node: native (program)' : `node: ${frame.functionName || '(other)'}`
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + (data.timeDeltas[i] ?? 0) / 1000)
  })
  return Object.fromEntries(
    [...buckets]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([k, v]) => [k, round(v, 1)]),
  )
}

/** Steps of `release status <target>` timed one after the other in a fresh process. */
const PHASES_SCRIPT = `
const t = [performance.now()]
const mark = () => t.push(performance.now())
await import(process.env.OCLIF); mark()
await import(process.env.DIST + '/src/commands/status.js'); mark()
const {openWorkspace} = await import(process.env.DIST + '/src/app/workspace.js'); mark()
const ws = await openWorkspace({}); mark()
const {statusOf} = await import(process.env.DIST + '/src/app/views.js'); mark()
await statusOf(ws, 'web'); mark()
console.log(JSON.stringify(t.slice(1).map((v, i) => v - t[i])))
`
const PHASE_NAMES = [
  'import @oclif/core',
  'import the status command (and its render)',
  'import the workspace (config, YAML, templates, ledger)',
  'load release.yml and its templates',
  'import the views',
  'read the ledger and the lock',
]

function phases(cwd: string, runs: number): Record<string, number> {
  const samples: number[][] = []
  for (let i = 0; i < runs; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', PHASES_SCRIPT], {
      cwd,
      encoding: 'utf8',
      env: {...process.env, DIST: pathToFileURL(join(REPO, 'dist')).href, OCLIF: pathToFileURL(createRequire(import.meta.url).resolve('@oclif/core')).href},
    })
    if (run.status !== 0) throw new Error(`timing the steps of release status failed: ${run.stderr}`)
    samples.push(JSON.parse(run.stdout.trim().split('\n').at(-1)!) as number[])
  }
  return Object.fromEntries(PHASE_NAMES.map((name, i) => [name, round(median(samples.map((s) => s[i]!)), 1)]))
}

export function benchCliStartup(runs: number): CliRecord[] {
  const project = quickstartWithOneRelease()
  const bare = bareOclif()
  const subjects: Subject[] = [
    {command: 'node -e 0', args: ['-e', '0'], cwd: project},
    {command: 'bare oclif hello', args: [join(bare, 'bin/run.js'), 'hello'], cwd: project},
    {command: 'bare oclif --version', args: [join(bare, 'bin/run.js'), '--version'], cwd: project},
    {command: 'release --version', args: [RELEASE_BIN, '--version'], cwd: project},
    {command: 'release status web', args: [RELEASE_BIN, 'status', 'web'], cwd: project},
    {command: 'release history web', args: [RELEASE_BIN, 'history', 'web'], cwd: project},
  ]
  // Warm the file system cache, then interleave so that drift (other load, CPU boost) hits all alike.
  for (const subject of subjects) for (let i = 0; i < 2; i++) timeOnce(subject)
  const times = new Map<string, number[]>(subjects.map((s) => [s.command, []]))
  for (let round = 0; round < runs; round++) for (const subject of subjects) times.get(subject.command)!.push(timeOnce(subject))

  const status = subjects.find((s) => s.command.startsWith('release status'))!
  const statusProfile = profile(status)
  const statusPhases = phases(project, runs)
  rmSync(project, {recursive: true, force: true})
  rmSync(bare, {recursive: true, force: true})
  const medianOf = (command: string) => median(times.get(command)!)
  const node = medianOf('node -e 0')
  const oclif = medianOf('bare oclif hello')
  return subjects.map((s) => {
    const ms = times.get(s.command)!
    const record: CliRecord = {
      case: 'cli',
      command: s.command,
      medianMs: round(median(ms), 1),
      ratioToBareOclif: round(median(ms) / oclif, 2),
      ratioToNode: round(median(ms) / node, 2),
      runs,
      minMs: round(Math.min(...ms), 1),
      maxMs: round(Math.max(...ms), 1),
      ...(s === status ? {profile: statusProfile, phases: statusPhases} : {}),
    }
    console.log(
      `cli  ${s.command.padEnd(22)} ${record.medianMs.toFixed(1).padStart(7)} ms median of ${runs}  x${record.ratioToBareOclif.toFixed(2)} bare oclif  x${record.ratioToNode.toFixed(2)} node`,
    )
    return record
  })
}
