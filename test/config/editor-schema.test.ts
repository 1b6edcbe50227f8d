/**
 * docs/schemas/release-yml.json, the JSON Schema editors use to complete and check release.yml, is
 * generated from src/config/schema by `npm run schema`; these tests fail when the committed file is
 * stale, and check that every example release.yml of the repository fits it.
 */
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {Ajv} from 'ajv'
import {parse} from 'yaml'
import {describe, expect, it} from 'vitest'
import {editorSchema, type Json} from '../../scripts/config-schema.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const FILE = path.join(ROOT, 'docs/schemas/release-yml.json')
const committed = JSON.parse(readFileSync(FILE, 'utf8')) as Json

/** Every release.yml / release.yaml under the repository, outside dependencies, builds and state. */
function examples(dir = ROOT): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return ['node_modules', 'dist', '.git', '.release'].includes(entry.name) ? [] : examples(full)
    return /^release\.ya?ml$/.test(entry.name) ? [full] : []
  })
}

function validator() {
  const ajv = new Ajv({allErrors: true, strict: false})
  return ajv.compile(committed)
}

describe('docs/schemas/release-yml.json', () => {
  it('is the one generated from src/config/schema (run `npm run schema` when this fails)', () => {
    expect(committed).toEqual(editorSchema())
  })

  it('describes every key, and gives the default of every optional one that has one', () => {
    const missing: string[] = []
    const walk = (node: Json, at: string) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) missing.push(`${at}${key}`)
        walk(child, `${at}${key}.`)
      }
      const more = node.additionalProperties
      if (more && typeof more === 'object') walk(more as Json, `${at}*.`)
      for (const option of ((node.oneOf ?? node.anyOf) as Json[] | undefined) ?? []) walk(option, at)
    }
    walk(committed, '')
    expect(missing).toEqual([])
    const top = committed.properties!
    expect(top.account!.default).toBe('simulated')
    expect((top.simulated!.properties!.speed as Json).default).toBe(20)
  })

  it.each(examples().map((file) => [path.relative(ROOT, file)]))('fits %s', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8')
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${path.relative(path.dirname(path.join(ROOT, file)), FILE)}`)
    const validate = validator()
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true)
  })

  it('refuses what release refuses for its form: an unknown key, a wrong type, a missing required key', () => {
    const validate = validator()
    const ok = {targets: {api: {strategy: 'incremental', fleet: {group: 'api-fleet'}, change: {apply: ['x {{version}}']}}}}
    expect(validate(ok), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({...ok, acount: 'aws'})).toBe(false)
    expect(validate({...ok, simulated: {seed: 'seven'}})).toBe(false)
    expect(validate({targets: {api: {strategy: 'incremental', change: {apply: ['x']}}}})).toBe(false)
  })
})
