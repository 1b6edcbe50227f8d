/**
 * Temporary directories of tests, all removed when the test file ends.
 *
 * test/setup.ts points TMPDIR at one private directory per test file before any test runs, and
 * removes it once the file's tests are done: every mkdtemp under os.tmpdir() (copyQuickstart,
 * makeProject, a test's own), every CLI process a test spawns (it inherits the environment), and
 * the config cache (src/config/cache.ts keeps it under os.tmpdir()) land there, so a run leaves
 * nothing in the system's temp directory and never touches the user's config cache.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const TMP_VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const

export interface TempRoot {
  /** The directory os.tmpdir() now returns. */
  dir: string
  /** Removes it (with all it holds) and gives os.tmpdir() back its former value. */
  restore(): void
}

/**
 * The worker's own temp settings and how many private directories are open. A worker runs several test
 * files one after another (vitest isolate: false), and their setups and teardowns may interleave: the
 * settings go back to the worker's own once the last one is restored, never to a removed directory.
 */
const worker = ((globalThis as Record<symbol, unknown>)[Symbol.for('release-tests.temp')] ??= {open: 0, before: {}}) as {
  open: number
  before: Record<string, string | undefined>
}

/** Makes os.tmpdir() (in this process and in every child it spawns) a new private directory. */
export function isolateTempDir(prefix = 'release-tests-'): TempRoot {
  if (worker.open === 0) worker.before = Object.fromEntries(TMP_VARIABLES.map((name) => [name, process.env[name]]))
  const before = worker.before
  const dir = mkdtempSync(join(before.TMPDIR ?? tmpdir(), prefix))
  worker.open += 1
  for (const name of TMP_VARIABLES) process.env[name] = dir
  let restored = false
  return {
    dir,
    restore() {
      if (restored) return
      restored = true
      worker.open -= 1
      if (worker.open === 0) {
        for (const name of TMP_VARIABLES) {
          const value = before[name]
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      }
      // A detached CLI a test started may still be writing: retry instead of failing the file.
      rmSync(dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 50})
    },
  }
}

/** A new directory under the test file's private temp directory (removed with it). */
export function tempDir(prefix = 'release-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}
