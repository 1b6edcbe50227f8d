// npm run build: bundles the classes of @aws-sdk/client-dynamodb that src/aws/dynamodb-bundle.ts names
// into dist/vendor/client-dynamodb/ (why: that file's comment and docs/dev/architecture.md).
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, sep} from 'node:path'
// rolldown: the bundler vite 8 (vitest's) builds on, so the lockfile holds one copy of it.
import {build} from 'rolldown'
import {DYNAMODB_BUNDLE_DIR, DYNAMODB_BUNDLE_ENTRY, DYNAMODB_CLASSES} from '../src/aws/dynamodb-bundle.js'

const root = join(import.meta.dirname, '..', '..')
const dir = join(root, DYNAMODB_BUNDLE_DIR)
/** The bundle's entry: a module of its own that re-exports the classes, and nothing else of the package. */
const ENTRY = '\0client-dynamodb-entry'

rmSync(dir, {recursive: true, force: true})
const built = await build({
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

// The bundle ships code of other packages (Apache-2.0 and MIT): their notices go with it.
const packages = new Set<string>()
for (const chunk of built.output) if (chunk.type === 'chunk') for (const id of chunk.moduleIds) {
  const dir = packageDirOf(id)
  if (dir) packages.add(dir)
}
// Packages whose license text is the same (the SDK's Apache-2.0) are named together, the text once.
const byText = new Map<string, string[]>()
for (const dir of [...packages].sort()) {
  const {name, version, license} = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {name: string; version: string; license?: string}
  const file = ['LICENSE', 'LICENSE.txt', 'LICENSE.md', 'license'].map((f) => join(dir, f)).find((f) => existsSync(f))
  const text = file ? readFileSync(file, 'utf8').trim() : `license: ${license ?? 'unknown'}`
  byText.set(text, [...(byText.get(text) ?? []), `${name}@${version} (${license ?? 'see its package'})`])
}
const notices = [...byText].map(([text, names]) => `${names.join('\n')}\n\n${text}\n`)
writeFileSync(join(dir, 'THIRD-PARTY-NOTICES.txt'), `The files of this directory bundle code of these packages (scripts/bundle-dynamodb.ts).\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`)
console.error(`${DYNAMODB_BUNDLE_DIR}: ${DYNAMODB_CLASSES.length} classes of @aws-sdk/client-dynamodb, code of ${packages.size} packages`)

/** The package directory (the one with package.json, under node_modules) a bundled module comes from. */
function packageDirOf(id: string): string | undefined {
  const at = id.lastIndexOf(`${sep}node_modules${sep}`)
  if (at < 0) return undefined
  const rest = id.slice(at + `${sep}node_modules${sep}`.length).split(sep)
  const name = rest[0]?.startsWith('@') ? rest.slice(0, 2) : rest.slice(0, 1)
  const packageDir = join(id.slice(0, at), 'node_modules', ...name)
  return existsSync(join(packageDir, 'package.json')) ? packageDir : dirname(packageDir)
}
