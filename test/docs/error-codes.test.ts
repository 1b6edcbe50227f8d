/**
 * Pipelines branch on error codes: every code the code can raise is in docs/exit-codes.md and in
 * the JSON Schema of --json errors, so that a new refusal cannot ship undocumented.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Codes given to a UserError (or a subclass) in src/ and strategies/, written as 'E_...'. */
function raisedCodes(): string[] {
  const codes = new Set<string>()
  for (const file of [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'strategies'))]) {
    for (const match of readFileSync(file, 'utf8').matchAll(/'(E_[A-Z_]+)'/g)) codes.add(match[1]!)
  }
  return [...codes].sort()
}

describe('error codes', () => {
  const codes = raisedCodes()

  it('finds the codes it checks', () => {
    expect(codes).toContain('E_CONFIG')
    expect(codes.length).toBeGreaterThan(40)
  })

  it('are each in the table of docs/exit-codes.md', () => {
    const table = readFileSync(join(ROOT, 'docs/exit-codes.md'), 'utf8')
    expect(codes.filter((code) => !table.includes(`| \`${code}\` |`))).toEqual([])
  })

  it('are each in the JSON Schema of --json errors', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'docs/schemas/error.schema.json'), 'utf8')) as unknown
    const listed = JSON.stringify(schema)
    expect(codes.filter((code) => !listed.includes(`"${code}"`))).toEqual([])
  })
})
