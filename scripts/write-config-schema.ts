// npm run schema: writes docs/schemas/release-yml.json and the tables of docs/config.md from src/config/schema.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {editorSchema, referenceTables, withTables} from './config-schema.js'

const root = join(import.meta.dirname, '..', '..')
const schema = editorSchema()
writeFileSync(join(root, 'docs/schemas/release-yml.json'), `${JSON.stringify(schema, null, 2)}\n`)
const doc = join(root, 'docs/config.md')
writeFileSync(doc, withTables(readFileSync(doc, 'utf8'), referenceTables(schema)))
console.log('wrote docs/schemas/release-yml.json and the tables of docs/config.md')
