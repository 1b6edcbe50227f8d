// Preloaded with `node --import` by the start-up test: records every module the CLI resolves into
// the file named by RELEASE_TRACK_IMPORTS, to prove that --help, status and history never load the AWS SDK.
// The resolve hook sees what `import` loads; what `require` loads (the SDK's packages: src/aws/sdk.ts)
// passes no hook in Node 20, so the modules in require's cache are added when the process exits.
import {appendFileSync} from 'node:fs'
import {createRequire, register} from 'node:module'
import {pathToFileURL} from 'node:url'

const file = process.env.RELEASE_TRACK_IMPORTS
register(new URL('./track-imports-hooks.mjs', import.meta.url), {data: {file}})
const required = createRequire(import.meta.url).cache
process.on('exit', () => {
  if (file) appendFileSync(file, Object.keys(required).map((path) => `${pathToFileURL(path).href}\n`).join(''))
})
