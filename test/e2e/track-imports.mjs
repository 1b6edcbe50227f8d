// Preloaded with `node --import` by the start-up test: records every module the CLI resolves into
// the file named by RELEASE_TRACK_IMPORTS, to prove that --help, status and history never load the AWS SDK.
// ESM imports through the loader hooks; CommonJS requires (src/aws/dynamodb-sdk.ts loads the
// DynamoDB SDK with require) through Module._resolveFilename, which the hooks do not see.
import {appendFileSync} from 'node:fs'
import Module, {register} from 'node:module'

const file = process.env.RELEASE_TRACK_IMPORTS
register(new URL('./track-imports-hooks.mjs', import.meta.url), {data: {file}})
if (file) {
  const resolveFilename = Module._resolveFilename
  Module._resolveFilename = function (...args) {
    const resolved = resolveFilename.apply(this, args)
    appendFileSync(file, `${resolved}\n`)
    return resolved
  }
}
