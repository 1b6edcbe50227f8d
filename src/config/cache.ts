/**
 * The validated release.yml, remembered between runs: commands that only read state (status,
 * history, wait, events, locks) then start without loading the YAML parser or parsing templates.
 * An entry is used only while release.yml and every template it names are unchanged (same
 * content), for the same working directory and cache format; anything else loads and validates
 * the files again. Kept per user in the system's temp directory.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync} from 'node:fs'
import {userInfo} from 'node:os'
import path from 'node:path'
import {writeFileAtomic} from '../util/state-file.js'
import {findConfig} from './find.js'
import type {LoadOptions} from './index.js'
import type {ReleaseConfig} from './types.js'
import {tempRoot} from '../util/cli-context.js'

/** Bumped whenever ReleaseConfig changes shape. */
const CACHE_FORMAT = 13

/**
 * The cache keeps one entry per release.yml ever loaded (tests and throw-away projects make many):
 * entries unused for this long, and beyond this many, are removed whenever an entry is written.
 */
export const CACHE_LIMITS = {maxAgeMs: 14 * 24 * 3600_000, maxEntries: 64}

interface Entry {
  format: number
  cwd: string
  files: {path: string; stamp: string}[]
  config: ReleaseConfig
}

/** A digest of the file's content (reading and hashing a few KB costs far less than parsing YAML). */
function stamp(file: string): string | undefined {
  try {
    if (!statSync(file, {throwIfNoEntry: false})?.isFile()) return undefined
    return createHash('sha256').update(readFileSync(file)).digest('hex')
  } catch {
    // Unreadable (EACCES...): no entry is used, and loading the file says what is wrong with it.
    return undefined
  }
}

function cacheFile(configFile: string): string {
  const dir = path.join(tempRoot(), `release-${userInfo().uid}`)
  return path.join(dir, `config-${createHash('sha256').update(configFile).digest('hex').slice(0, 24)}.json`)
}

function templatesOf(config: ReleaseConfig): string[] {
  return Object.values(config.targets).flatMap((t) => (t.templatePath ? [t.templatePath] : []))
}

export async function loadConfigCached(file: string | undefined, opts: LoadOptions & {cwd: string}): Promise<ReleaseConfig> {
  const resolved = file ? path.resolve(opts.cwd, file) : findConfig(opts.cwd)
  if (!resolved || !stamp(resolved)) return (await import('./index.js')).loadConfig(file, opts)
  const where = cacheFile(resolved)
  try {
    const entry = JSON.parse(readFileSync(where, 'utf8')) as Entry
    const fresh = entry.format === CACHE_FORMAT && entry.cwd === opts.cwd && entry.files.every((f) => stamp(f.path) === f.stamp)
    if (fresh && entry.config.file === resolved) {
      touch(where)
      return entry.config
    }
  } catch {
    // No entry, or an unreadable one: load the file.
  }
  const config = await (await import('./index.js')).loadConfig(file, opts)
  // Only a whole config is remembered: one with a target left out serves read-only commands alone.
  if (config.unreadable) return config
  try {
    const files = [config.file, ...templatesOf(config)].map((p) => ({path: p, stamp: stamp(p) ?? ''}))
    const entry: Entry = {format: CACHE_FORMAT, cwd: opts.cwd, files, config}
    mkdirSync(path.dirname(where), {recursive: true, mode: 0o700})
    // A cache: whole after a killed process, and a crash of the machine only costs a parse.
    writeFileAtomic(where, JSON.stringify(entry), {durable: false})
    pruneCache(path.dirname(where), Date.now())
  } catch {
    // A cache that cannot be written only costs the next run a parse.
  }
  return config
}

/** Marks an entry as used, so that pruning by age spares what is read often. */
function touch(file: string): void {
  try {
    const now = new Date()
    utimesSync(file, now, now)
  } catch {
    // Pruning may then drop it a little early: it is only a cache.
  }
}

/**
 * Removes entries unused for longer than `maxAgeMs`, then the least recently used beyond
 * `maxEntries`, and temporary files a crashed writer left. Returns the names removed.
 */
export function pruneCache(dir: string, now: number, limits: {maxAgeMs: number; maxEntries: number} = CACHE_LIMITS): string[] {
  const entries: {name: string; used: number}[] = []
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('config-')) continue
    const stat = statSync(path.join(dir, name), {throwIfNoEntry: false})
    if (stat?.isFile()) entries.push({name, used: stat.mtimeMs})
  }
  const leftovers = entries.filter((e) => e.name.endsWith('.tmp') && now - e.used > 3600_000)
  const kept = entries.filter((e) => e.name.endsWith('.json')).sort((a, b) => b.used - a.used)
  const old = kept.filter((e, i) => now - e.used > limits.maxAgeMs || i >= limits.maxEntries)
  const removed = [...leftovers, ...old].map((e) => e.name)
  for (const name of removed) rmSync(path.join(dir, name), {force: true})
  return removed
}
