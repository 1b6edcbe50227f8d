import {availableParallelism} from 'node:os'
import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file gets its own temp directory (and so its own config cache), removed at its end.
    setupFiles: ['test/setup.ts'],
    // vitest's default in a run is one worker fewer than the cores: one worker on a 2-core CI machine.
    // Commands now run in-process (test/e2e/in-process.ts), so the workers are the parallelism.
    maxWorkers: availableParallelism(),
    // isolate stays on (a fresh process per file): with isolate: false, measured at half the CPU on the
    // unit folders, vitest runs test/setup.ts once per worker, not once per file, so every file after
    // the first loses its private TMPDIR. Forks, not threads: os.tmpdir() reads the process's real
    // environment, which a worker thread's process.env does not change.
    // End-to-end tests spawn the built CLI several times each; a loaded 2-core machine needs room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The SDK's notice that its 2027 releases need Node 22 is not a test result.
    env: {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
  },
})
