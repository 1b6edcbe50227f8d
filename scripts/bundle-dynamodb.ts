// npm run build: bundles the classes of @aws-sdk/client-dynamodb that src/aws/dynamodb-bundle.ts names
// into dist/vendor/client-dynamodb/ (why: that file's comment and docs/dev/architecture.md).
import {rmSync} from 'node:fs'
import {join} from 'node:path'
// rolldown is here with vitest (vite 8 builds on it); it joins devDependencies when this is merged.
// eslint-disable-next-line import-x/no-extraneous-dependencies
import {build} from 'rolldown'
import {DYNAMODB_BUNDLE_DIR, DYNAMODB_BUNDLE_ENTRY, DYNAMODB_CLASSES} from '../src/aws/dynamodb-bundle.js'

const root = join(import.meta.dirname, '..', '..')
const dir = join(root, DYNAMODB_BUNDLE_DIR)
/** The bundle's entry: a module of its own that re-exports the classes, and nothing else of the package. */
const ENTRY = '\0client-dynamodb-entry'

rmSync(dir, {recursive: true, force: true})
await build({
  input: ENTRY,
  cwd: root,
  platform: 'node',
  // The SDK's ES module builds (dist-es, "module"), which tree-shaking can cut; its CommonJS builds
  // ("main", "node"), each package one file, cannot be, and would take the ES modules they require
  // whole with them.
  resolve: {mainFields: ['module', 'main'], conditionNames: ['module', 'import', 'node', 'default']},
  plugins: [
    {
      name: 'client-dynamodb-entry',
      resolveId: (id) => (id === ENTRY ? id : null),
      load: (id) => (id === ENTRY ? `export {${DYNAMODB_CLASSES.join(', ')}} from '@aws-sdk/client-dynamodb'\n` : null),
    },
  ],
  logLevel: 'warn',
  // CommonJS, loaded by require (src/aws/sdk.ts says why). What the SDK imports only when asked (the
  // credential providers past the environment's, STS and SSO clients for them) stays in chunks of
  // its own, loaded by the first call that needs them.
  output: {dir, format: 'cjs', entryFileNames: DYNAMODB_BUNDLE_ENTRY, chunkFileNames: '[name]-[hash].cjs'},
})
console.error(`${DYNAMODB_BUNDLE_DIR}: ${DYNAMODB_CLASSES.length} classes of @aws-sdk/client-dynamodb`)
