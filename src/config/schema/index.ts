/**
 * The one schema of release.yml. To add a key, declare it in the file of its section with `key()`
 * (required) or `withDefault()` (its default beside it) and a description: validation, the
 * TypeScript type, docs/schemas/release-yml.json and the tables of docs/config.md all follow
 * (`npm run schema` regenerates the last two). If the app reads it, pass it on in ../resolve.ts.
 */
export {releaseYml, releaseEntries, type ReleaseYml} from './release.js'
export {target, autoEntries, AUTO_KEYS, AUTO_TEMPLATE_WHAT, type TargetOutput} from './target.js'
export {immutableEntries} from './immutable.js'
export {incrementalEntries} from './incremental.js'
export {changeEntries} from './change.js'
export {state, type StateOutput} from './state.js'
export {simulated, faults, fleet, document, type SimulatedOutput} from './simulated.js'
export {SHELL_DOCUMENTS, TARGET_GROUP_ARN, TARGET_NAME} from './names.js'
export type {SchemaContext, LoadedTemplate} from './context.js'
