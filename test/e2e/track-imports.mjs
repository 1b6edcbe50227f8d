// Preloaded with `node --import` by the start-up test: records every module the CLI resolves into
// the file named by RELEASE_TRACK_IMPORTS, to prove that --help, status and history never load the AWS SDK.
import {register} from 'node:module'

register(new URL('./track-imports-hooks.mjs', import.meta.url), {data: {file: process.env.RELEASE_TRACK_IMPORTS}})
