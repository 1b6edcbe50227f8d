import {defineConfig} from 'vitest/config'

/**
 * The tests StrykerJS runs against each mutant (npm run mutation): unit tests of the mutated folders
 * only. End-to-end tests spawn the built CLI, which runs dist/, not the mutated source, so they could
 * not kill a mutant and would only make the pass slower.
 *
 * MUTATION_TESTS narrows them further (comma-separated folders or files), e.g.
 * `MUTATION_TESTS=test/engine,test/store npm run mutation -- --mutate src/engine/ledger.ts`: the
 * whole releases of test/strategies reach the ledger too, and make each mutant of it take seconds.
 */
const narrowed = process.env.MUTATION_TESTS?.split(',')
  .map((entry) => entry.trim())
  .filter((entry) => entry !== '')
  .map((entry) => (entry.endsWith('.ts') ? entry : `${entry.replace(/\/+$/, '')}/**/*.test.ts`))

export default defineConfig({
  test: {
    include: narrowed ?? ['test/engine/**/*.test.ts', 'test/store/**/*.test.ts', 'test/strategies/**/*.test.ts', 'test/machines/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
  },
})
