import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {referenceTables, withTables} from '../../scripts/config-schema.js'

const doc = readFileSync(join(import.meta.dirname, '../../docs/config.md'), 'utf8')

describe('docs/config.md', () => {
  it.each(Object.keys(referenceTables()))('embeds the current %s table (run `npm run schema` when this fails)', (name) => {
    expect(doc, `no <!-- schema:${name} --> block`).toContain(`<!-- schema:${name} -->`)
    const block = new RegExp(`<!-- schema:${name.replaceAll('.', '\\.')} -->\\n([\\s\\S]*?)\\n<!-- /schema -->`).exec(doc)
    expect(block![1]).toBe(referenceTables()[name])
  })

  it('has no table left to regenerate', () => {
    expect(withTables(doc)).toBe(doc)
  })
})
