/**
 * The order in which test files start (vitest.config.ts, sequence.sequencer): the longest first, so
 * that the short ones fill the gaps at the end and both workers finish at about the same time.
 *
 * vitest's own order starts every file of one project before any file of the next (by name:
 * in-process, then own-process), and without timings of an earlier run (a fresh clone, CI) the larger
 * files first. The own-process files are the slowest of all (each spawns the CLI a dozen times, and
 * real-time.e2e.test.ts waits out a lease in real time): they started last, when nothing short was
 * left to run beside them. Here, without timings, the files that run the CLI end to end come first
 * (real-time.e2e.test.ts, the longest, whose size says nothing as its suites live in files it
 * imports; then those of a process of their own; then the other test/e2e ones), each group larger
 * first; with the timings of an earlier run of every file, the slowest first, whatever their project.
 */
import {relative} from 'node:path'
import {BaseSequencer, type TestSpecification} from 'vitest/node'

export class SlowestFirst extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const {cache, config} = this.ctx
    const key = (file: TestSpecification) => `${file.project.name}:${relative(config.root, file.moduleId)}`
    const durations = files.map((file) => cache.getFileTestResults(key(file))?.duration)
    if (durations.every((duration) => duration !== undefined)) {
      const duration = new Map(files.map((file, i) => [file, durations[i] ?? 0]))
      return Promise.resolve([...files].sort((a, b) => (duration.get(b) ?? 0) - (duration.get(a) ?? 0)))
    }
    const rank = (file: TestSpecification) =>
      /[\\/]real-time\.e2e\.test\.ts$/.test(file.moduleId) ? 0 : file.project.config.isolate ? 1 : /[\\/]test[\\/]e2e[\\/]/.test(file.moduleId) ? 2 : 3
    const size = (file: TestSpecification) => cache.getFileStats(key(file))?.size ?? 0
    return Promise.resolve([...files].sort((a, b) => rank(a) - rank(b) || size(b) - size(a)))
  }
}
