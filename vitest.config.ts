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
    // A worker keeps its modules from one test file to the next (the SDK, oclif, the built commands):
    // half the CPU of a fresh process per file. Files stay apart where it matters: each has its own
    // TMPDIR (test/setup.ts), and tests that change process.env put it back.
    isolate: false,
    // End-to-end tests spawn the built CLI several times each; a loaded 2-core machine needs room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The SDK's notice that its 2027 releases need Node 22 is not a test result.
    env: {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
  },
})
