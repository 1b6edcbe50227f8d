/**
 * The order in which test files start (vitest.config.ts, sequence.sequencer): the longest first, so
 * that the short ones fill the gaps at the end and both workers finish at about the same time.
 *
 * vitest's own order starts every file of one project before any file of the next (by name:
 * in-process, then own-process), and without timings of an earlier run (a fresh clone, CI) the larger
 * files first. The own-process files are the slowest of all: they started last, when nothing short
 * was left to run beside them. Here each file's duration comes from this machine's last run or, on a
 * fresh clone, from a recorded run (test/durations.json), and the slowest start first, whatever their
 * project. A file of neither run (a new one) starts before them, by a rule: real-time.e2e.test.ts (the
 * longest, whose size says nothing as its suites live in files it imports), then the files of a
 * process of their own, then the other test/e2e ones, each group larger first.
 */
import {readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {BaseSequencer, type TestSpecification} from 'vitest/node'

/** Written by `npm run test:durations` (scripts/test-durations.js) from a run on a 2-core machine. */
export const DURATIONS_FILE = 'test/durations.json'

/** Each test file's duration in ms in that run, by its path from the root; empty when there is none. */
function recordedDurations(root: string): Map<string, number> {
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(join(root, DURATIONS_FILE), 'utf8')) as Record<string, number>))
  } catch {
    return new Map()
  }
}

export class SlowestFirst extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const {cache, config} = this.ctx
    const path = (file: TestSpecification) => relative(config.root, file.moduleId).split('\\').join('/')
    const key = (file: TestSpecification) => `${file.project.name}:${path(file)}`
    // This machine's last run first; else the recorded run (a fresh clone, CI, has no cache).
    const recorded = recordedDurations(config.root)
    const duration = new Map(files.map((file) => [file, cache.getFileTestResults(key(file))?.duration ?? recorded.get(path(file))]))
    const rank = (file: TestSpecification) =>
      /[\\/]real-time\.e2e\.test\.ts$/.test(file.moduleId) ? 0 : file.project.config.isolate ? 1 : /[\\/]test[\\/]e2e[\\/]/.test(file.moduleId) ? 2 : 3
    const size = (file: TestSpecification) => cache.getFileStats(key(file))?.size ?? 0
    // Files of neither run (new ones) first, by the rule above; then the known ones, slowest first.
    const unknown = files.filter((file) => duration.get(file) === undefined).sort((a, b) => rank(a) - rank(b) || size(b) - size(a))
    const known = files.filter((file) => duration.get(file) !== undefined).sort((a, b) => (duration.get(b) ?? 0) - (duration.get(a) ?? 0))
    return Promise.resolve([...unknown, ...known])
  }
}
