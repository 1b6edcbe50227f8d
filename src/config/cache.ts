/**
 * The validated release.yml, remembered between runs: commands that only read state (status,
 * history, wait, events, locks) then start without loading the YAML parser or parsing templates.
 * An entry is used only while release.yml and every template it names are unchanged (same
 * content), for the same working directory and cache format; anything else loads and validates
 * the files again. Kept per user in the system's temp directory.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, statSync} from 'node:fs'
import {tmpdir, userInfo} from 'node:os'
import path from 'node:path'
import {writeFileAtomic} from '../util/state-file.js'
import {findConfig} from './find.js'
import type {ReleaseConfig} from './types.js'

/** Bumped whenever ReleaseConfig changes shape. */
const CACHE_FORMAT = 2

interface Entry {
  format: number
  cwd: string
  files: {path: string; stamp: string}[]
  config: ReleaseConfig
}

/** A digest of the file's content (reading and hashing a few KB costs far less than parsing YAML). */
function stamp(file: string): string | undefined {
  if (!statSync(file, {throwIfNoEntry: false})?.isFile()) return undefined
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

function cacheFile(configFile: string): string {
  const dir = path.join(tmpdir(), `release-${userInfo().uid}`)
  return path.join(dir, `config-${createHash('sha256').update(configFile).digest('hex').slice(0, 24)}.json`)
}

function templatesOf(config: ReleaseConfig): string[] {
  return Object.values(config.targets).flatMap((t) => (t.templatePath ? [t.templatePath] : []))
}

export async function loadConfigCached(file: string | undefined, opts: {cwd: string}): Promise<ReleaseConfig> {
  const resolved = file ? path.resolve(opts.cwd, file) : findConfig(opts.cwd)
  if (!resolved || !stamp(resolved)) return (await import('./index.js')).loadConfig(file, opts)
  const where = cacheFile(resolved)
  try {
    const entry = JSON.parse(readFileSync(where, 'utf8')) as Entry
    const fresh = entry.format === CACHE_FORMAT && entry.cwd === opts.cwd && entry.files.every((f) => stamp(f.path) === f.stamp)
    if (fresh && entry.config.file === resolved) return entry.config
  } catch {
    // No entry, or an unreadable one: load the file.
  }
  const config = await (await import('./index.js')).loadConfig(file, opts)
  try {
    const files = [config.file, ...templatesOf(config)].map((p) => ({path: p, stamp: stamp(p) ?? ''}))
    const entry: Entry = {format: CACHE_FORMAT, cwd: opts.cwd, files, config}
    mkdirSync(path.dirname(where), {recursive: true, mode: 0o700})
    writeFileAtomic(where, JSON.stringify(entry))
  } catch {
    // A cache that cannot be written only costs the next run a parse.
  }
  return config
}
