/**
 * `release init`: what a newcomer's account already runs (Auto Scaling groups, CloudFormation
 * stacks), and a starting release.yml with one target per group they pick: the editor schema line
 * on top, what each target needs, and the defaults of the rest as comments, read from the schema.
 */
import {open} from 'node:fs/promises'
import path from 'node:path'
import * as v from 'valibot'
import {stringify} from 'yaml'
import {immutableEntries, incrementalEntries, TARGET_NAME} from '../config/schema/index.js'
import type {ReleaseConfig} from '../config/types.js'
import {UserError} from '../errors.js'
import type {GroupInfo} from '../ports/fleet.js'
import type {StackInfo} from '../ports/stacks.js'
import {packageRoot} from '../util/package-root.js'
import {openAccount} from './account.js'

export interface InitPlace {
  /** The release.yml to write. */
  file: string
  account: 'simulated' | 'aws'
  region: string
  /** As it will be written in release.yml (relative to the file). */
  stateDir: string
}

export interface Discovered {
  groups: {name: string; instances: number; trafficSources: string[]}[]
  stacks: {name: string; status: string}[]
}

export interface InitTarget {
  name: string
  group: string
  strategy: 'immutable' | 'incremental' | 'auto'
  /** Relative to release.yml; required by immutable and auto. */
  template?: string
  /** ELB target group ARNs (immutable); defaults to those the group is attached to. */
  trafficSources?: string[]
}

/** The account of a release.yml not yet written: defaults everywhere else. */
function bareConfig(place: InitPlace): ReleaseConfig {
  const dir = path.dirname(place.file)
  return {
    file: place.file,
    dir,
    account: place.account,
    region: place.region,
    stateDir: path.resolve(dir, place.stateDir),
    state: {backend: 'file'},
    simulated: {speed: 'instant', seed: 1, faults: {}, fleets: {}, targetGroups: {}, documents: {}, dir: path.join(path.resolve(dir, place.stateDir), 'sim')},
    targets: {},
  }
}

export async function discover(place: InitPlace): Promise<Discovered> {
  const account = await openAccount(bareConfig(place))
  const [groups, stacks] = await Promise.all([account.fleet.listGroups(), account.stacks.listStacks()])
  const withSources = await Promise.all(
    groups.map(async (g: GroupInfo) => ({
      name: g.name,
      instances: g.instances.length,
      trafficSources: (await account.fleet.describeTrafficSources(g.name)).map((s) => s.identifier),
    })),
  )
  return {groups: withSources, stacks: stacks.map((s: StackInfo) => ({name: s.name, status: s.status}))}
}

/** A target name from a group name: `api-fleet` -> `api`, `Shop_Web` -> `shop-web`. */
export function targetNameFor(group: string): string {
  const name = group
    .toLowerCase()
    .replace(/-(fleet|asg|group)$/, '')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 32)
    .replace(/-+$/, '')
  return TARGET_NAME.test(name) ? name : 'app'
}

/** Checks the picks against what the account has, before anything is written. */
export function checkTargets(targets: InitTarget[], found: Discovered): InitTarget[] {
  if (targets.length === 0) throw new UserError('E_INIT', 'no target to write', 'Pick at least one group, or pass --target NAME --group NAME --strategy S.', 2)
  const names = new Set<string>()
  return targets.map((t) => {
    if (!TARGET_NAME.test(t.name)) {
      throw new UserError('E_INIT', `target name "${t.name}" is not valid`, `Use a lowercase letter, then up to 31 lowercase letters, digits or -, e.g. ${targetNameFor(t.name)}.`, 2)
    }
    if (names.has(t.name)) throw new UserError('E_INIT', `target ${t.name} is named twice`, 'Give each target its own name.', 2)
    names.add(t.name)
    const group = found.groups.find((g) => g.name === t.group)
    if (!group) {
      const list = found.groups.map((g) => g.name).join(', ') || '(none)'
      throw new UserError('E_INIT', `no Auto Scaling group "${t.group}" in the account; its groups: ${list}`, 'Pass --group with one of the groups listed.', 2)
    }
    if (t.strategy !== 'incremental' && !t.template) {
      throw new UserError('E_INIT', `target ${t.name}: strategy ${t.strategy} needs a CloudFormation template`, 'Pass --template PATH (relative to release.yml), or use --strategy incremental.', 2)
    }
    const trafficSources = t.trafficSources && t.trafficSources.length > 0 ? t.trafficSources : group.trafficSources
    if (t.strategy === 'immutable' && trafficSources.length === 0) {
      throw new UserError(
        'E_INIT',
        `target ${t.name}: strategy immutable needs the ELB target groups to move traffic between, and group ${t.group} is attached to none`,
        'Pass --traffic-source ARN (repeatable).',
        2,
      )
    }
    return {...t, trafficSources}
  })
}

/** The defaults of a strategy's keys as comments: `# canary: 1   # Instances changed first...`. */
function commentedDefaults(entries: Record<string, v.GenericSchema>, skip: string[]): string[] {
  const lines: string[] = []
  for (const [key, entry] of Object.entries(entries)) {
    if (skip.includes(key)) continue
    const fallback = defaultOf(entry)
    if (fallback === undefined) continue
    const value = stringify(fallback, {flow: true}).trim()
    const what = (v.getDescription(entry) ?? '').replace(/\.\s.*$/s, '.')
    lines.push(`    # ${key}: ${value}`.padEnd(36) + `  # ${what}`)
  }
  return lines
}

/** A key's default; for a section defaulting to {} (timeouts), the defaults of its own keys. */
function defaultOf(entry: unknown): unknown {
  const e = entry as {type?: string; default?: unknown; wrapped?: {entries?: Record<string, unknown>}}
  if (e.type !== 'optional' || e.default === undefined || typeof e.default === 'function') return undefined
  const inner = e.wrapped?.entries
  if (inner && typeof e.default === 'object' && e.default !== null && Object.keys(e.default).length === 0) {
    return Object.fromEntries(Object.entries(inner).flatMap(([k, value]) => (defaultOf(value) === undefined ? [] : [[k, defaultOf(value)]])))
  }
  return e.default
}

export function renderReleaseYml(place: InitPlace, targets: InitTarget[]): string {
  const schema = path.relative(path.dirname(place.file), path.join(packageRoot(), 'docs/schemas/release-yml.json'))
  const simulated = place.account === 'simulated'
  const out = [
    `# yaml-language-server: $schema=${schema.split(path.sep).join('/')}`,
    '# Written by `release init`. Reference: docs/config.md; `release plan TARGET --version V` checks it.',
    `account: ${place.account}`,
    `region: ${place.region}`,
    ...(place.stateDir === '.release' ? ['# stateDir: .release'] : [`stateDir: ${place.stateDir}`]),
    '',
    'targets:',
  ]
  for (const t of targets) {
    out.push(`  ${t.name}:`, `    strategy: ${t.strategy}`)
    if (t.template) out.push(`    template: ${t.template}`)
    if (t.strategy !== 'incremental') {
      out.push('    trafficSources:', ...(t.trafficSources ?? []).map((arn) => `      - ${arn}`))
    }
    if (t.strategy !== 'immutable') {
      out.push(`    fleet: {group: ${t.group}}`, '    change:')
      if (simulated) {
        out.push(
          "      apply: ['release-sim set-version {{version}}']    # the simulated account's install command",
          "      verify: ['release-sim check']",
          "      current: ['release-sim get-version']",
        )
      } else {
        out.push(
          `      # Replace with the commands that install {{version}} on an instance of ${t.group}, check it, and print the version it runs.`,
          `      apply: ['/opt/${t.name}/install.sh --version {{version}}']`,
          `      # verify: ['curl -fsS http://localhost/health']`,
          `      # current: ['cat /opt/${t.name}/VERSION']`,
        )
      }
    }
    const entries = t.strategy === 'immutable' ? immutableEntries : incrementalEntries
    out.push('    # Defaults, as release reads them when absent:', ...commentedDefaults(entries, ['strategy', 'template']))
    out.push('')
  }
  return out.join('\n')
}

/** Writes release.yml; refuses to overwrite one (exit 2). */
export async function writeNewConfig(file: string, text: string): Promise<void> {
  let handle
  try {
    handle = await open(file, 'wx')
  } catch (error) {
    if ((error as {code?: string}).code === 'EEXIST') {
      throw new UserError('E_CONFIG_EXISTS', `${file} already exists; release init never overwrites it`, 'Edit it, or move it away and run release init again.', 2)
    }
    throw error
  }
  try {
    await handle.writeFile(text)
  } finally {
    await handle.close()
  }
}
