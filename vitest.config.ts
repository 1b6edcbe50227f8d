import {availableParallelism} from 'node:os'
import {defineConfig} from 'vitest/config'
import {SlowestFirst} from './test/sequencer.js'

/**
 * Test files that start CLI processes of their own (signals, crash points, --detach, node options,
 * --import hooks): each keeps a fresh worker process, so nothing a run leaves in the worker (a
 * handler, a child's pipe) reaches the next file.
 */
const OWN_PROCESS = [
  'test/e2e/real-time.e2e.test.ts',
  'test/e2e/resume.e2e.test.ts',
  'test/e2e/shared-state.e2e.test.ts',
  'test/e2e/environments.e2e.test.ts',
  'test/e2e/exit-codes.e2e.test.ts',
  'test/e2e/ci.e2e.test.ts',
]

export default defineConfig({
  test: {
    // Each test file gets its own temp directory (and so its own config cache), removed at its end:
    // vitest runs a setup file again before every test file, isolated or not.
    setupFiles: ['test/setup.ts'],
    // vitest's default in a run is one worker fewer than the cores: one worker on a 2-core CI machine.
    // Commands run in-process (test/e2e/in-process.ts), so the workers are the parallelism.
    maxWorkers: availableParallelism(),
    // Forks, not threads: os.tmpdir() reads the process's real environment, which a worker thread's
    // process.env does not change.
    pool: 'forks',
    // End-to-end tests spawn the built CLI several times each; a loaded 2-core machine needs room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The SDK's notice that its 2027 releases need Node 22 is not a test result.
    env: {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
    // The slowest files first, whatever their project (test/sequencer.ts): vitest's own order starts
    // the own-process files, the slowest, last.
    sequence: {sequencer: SlowestFirst},
    projects: [
      {
        extends: true,
        test: {
          name: 'in-process',
          include: ['test/**/*.test.ts'],
          exclude: OWN_PROCESS,
          // A worker keeps its modules from one test file to the next (the SDK clients, oclif and the
          // built commands, xstate): each file no longer pays their import. What a file changes in
          // the worker it puts back (process.env, timers, servers); module state is per call or keyed
          // by what it caches (src/config/cache.ts's files live under each file's own TMPDIR).
          isolate: false,
        },
      },
      {
        extends: true,
        test: {name: 'own-process', include: OWN_PROCESS, isolate: true},
      },
    ],
  },
})
