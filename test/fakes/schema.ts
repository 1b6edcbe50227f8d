/** Checks a value against one of the published JSON Schemas of docs/schemas (what `--json` prints). */
import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'
import {Ajv2020} from 'ajv/dist/2020.js'
import {expect} from 'vitest'

export function expectFitsSchema(name: string, value: unknown): void {
  const schema = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../docs/schemas', name), 'utf8')) as object
  const validate = new Ajv2020({strict: false}).compile(schema)
  expect(validate(JSON.parse(JSON.stringify(value))), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true)
}
