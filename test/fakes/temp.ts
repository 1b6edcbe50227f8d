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
 * The worker's own temp settings, read once, when the first test file of the worker loads this module
 * (before any test file changed them). A worker may run several test files one after another
 * (vitest isolate: false): each file's directory is made under the worker's own temp directory and
 * its end gives the worker's settings back, whatever the environment says at that moment. Nothing a
 * file leaves in process.env (a removed directory) can reach the next file's.
 */
const worker = ((globalThis as Record<symbol, unknown>)[Symbol.for('release-tests.temp')] ??= {
  root: tmpdir(),
  before: Object.fromEntries(TMP_VARIABLES.map((name) => [name, process.env[name]])),
}) as {root: string; before: Record<string, string | undefined>}

/** Makes os.tmpdir() (in this process and in every child it spawns) a new private directory. */
export function isolateTempDir(prefix = 'release-tests-'): TempRoot {
  const dir = mkdtempSync(join(worker.root, prefix))
  for (const name of TMP_VARIABLES) process.env[name] = dir
  // os.tmpdir() reads the process's real environment: if an earlier test file replaced process.env
  // with a plain object, settings made here no longer reach it. Say so instead of sharing a directory.
  if (tmpdir() !== dir) throw new Error(`os.tmpdir() is ${tmpdir()}, not ${dir}: a test file replaced process.env instead of setting its variables`)
  let restored = false
  return {
    dir,
    restore() {
      if (restored) return
      restored = true
      for (const name of TMP_VARIABLES) {
        const value = worker.before[name]
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
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
